// The entry point: mounts the app into #root, with its style sheets.
import { render } from "solid-js/web";
import { App } from "./App";
import "./styles/base.css";
import "./styles/app.css";
import "./styles/dialogs.css";
import "./styles/profile.css";
import "./styles/people.css";
import "./styles/files.css";
import "./styles/rooms.css";

const root = document.getElementById("root");
if (!root) throw new Error("#root is missing from index.html");
render(() => <App />, root);
