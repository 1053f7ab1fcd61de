// The page's behaviour: each opener builds its box at the end of <body> (as Hallway's portal
// does), focuses the text field, and Close takes it away the way the opener's name says.
const status = document.getElementById("status");
let changes = 0;

function content(close) {
  const frag = document.createDocumentFragment();
  const h = document.createElement("h2");
  h.textContent = "Add contact";
  const label = document.createElement("label");
  label.textContent = "Address ";
  const input = document.createElement("input");
  input.id = "address";
  label.append(input);
  const button = document.createElement("button");
  button.id = "close";
  button.textContent = "Close";
  button.addEventListener("click", close);
  frag.append(h, label, button);
  return { frag, input };
}

function openDialog(opener, { modal, keep, focusBack, styled }) {
  const dialog = document.createElement("dialog");
  if (styled) dialog.className = "modal";
  const { frag, input } = content(() => {
    dialog.close();
    if (!keep) dialog.remove();
    if (focusBack) opener.focus();
    status.textContent = `closed ${opener.id}`;
  });
  dialog.append(frag);
  document.body.append(dialog);
  if (modal) dialog.showModal();
  else dialog.show();
  input.focus();
  status.textContent = `open ${opener.id}`;
}

function openBox(opener) {
  const box = document.createElement("div");
  box.className = "box";
  const inner = document.createElement("div");
  const { frag, input } = content(() => {
    box.remove();
    opener.focus();
    status.textContent = `closed ${opener.id}`;
  });
  inner.append(frag);
  box.append(inner);
  document.body.append(box);
  input.focus();
  status.textContent = `open ${opener.id}`;
}

const variants = {
  modal: { modal: true, keep: false, focusBack: true, styled: true },
  "modal-keep": { modal: true, keep: true, focusBack: true, styled: true },
  "modal-nofocus": { modal: true, keep: false, focusBack: false, styled: true },
  "modal-plain": { modal: true, keep: false, focusBack: true, styled: false },
  modeless: { modal: false, keep: false, focusBack: true, styled: true },
};
for (const [id, v] of Object.entries(variants)) {
  const b = document.getElementById(id);
  b.addEventListener("click", () => openDialog(b, v));
}
const boxButton = document.getElementById("box");
boxButton.addEventListener("click", () => openBox(boxButton));
document.getElementById("change").addEventListener("click", () => {
  changes += 1;
  status.textContent = `changed ${changes}`;
});
