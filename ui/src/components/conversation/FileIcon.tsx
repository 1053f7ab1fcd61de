// A file's type icon: a sheet of paper with a folded corner, coloured by family, labelled with
// the extension ("PDF", "XLSX"). Decorative: the file's name is always shown next to it.
import { fileKind, fileLabel } from "../../lib/fileKind";

export function FileIcon(props: { name: string; mime?: string | null; class?: string }) {
  const label = () => fileLabel(props.name);
  return (
    <span
      class={`file-icon file-icon--${fileKind(props.name, props.mime)} ${props.class ?? ""}`}
      classList={{ "file-icon--long": label().length > 3 }}
      aria-hidden="true"
    >
      <svg class="file-icon-sheet" viewBox="0 0 32 40">
        <path
          class="file-icon-paper"
          d="M4 1.5h17L30.5 11v25.5a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2v-33a2 2 0 0 1 2-2Z"
        />
        <path class="file-icon-fold" d="M21 1.5V9a2 2 0 0 0 2 2h7.5" />
      </svg>
      <span class="file-icon-label">{label()}</span>
    </span>
  );
}
