import { SignInForm } from "../components/account/SignInForm";

export function SignInView() {
  return (
    <main class="signin">
      <div class="signin-card">
        <div class="brand" aria-hidden="true">
          <span class="brand-mark">H</span>
          <span class="brand-name">Hallway</span>
        </div>
        <SignInForm />
      </div>
    </main>
  );
}
