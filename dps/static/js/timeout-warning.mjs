// Warns before an idle session is signed out, as GOV.UK services do, so nobody loses a long
// form. "Stay signed in" asks the server to keep the session; otherwise the page goes to
// sign-in when the session ends.
export function initTimeoutWarning(element) {
  if (!element) return;
  const idleMs = Number(element.dataset.idleMinutes) * 60 * 1000;
  const warningMs = Number(element.dataset.warningMinutes) * 60 * 1000;
  if (!idleMs || !warningMs || warningMs >= idleMs) return;

  const dialog = document.createElement("dialog");
  dialog.className = "dps-timeout-dialog";
  dialog.setAttribute("aria-labelledby", "dps-timeout-heading");
  dialog.setAttribute("aria-describedby", "dps-timeout-text");
  dialog.innerHTML = `
    <h2 class="govuk-heading-m" id="dps-timeout-heading">You’re about to be signed out</h2>
    <p class="govuk-body" id="dps-timeout-text">For your security, we will sign you out in
      ${Math.round(warningMs / 60000)} minutes if you do nothing. Anything you have not saved will be lost.</p>
    <div class="govuk-button-group">
      <button type="button" class="govuk-button" data-module="govuk-button" data-action="stay">Stay signed in</button>
      <a class="govuk-link" href="${element.dataset.signOutUrl}">Sign out</a>
    </div>`;
  document.body.appendChild(dialog);

  let warnTimer;
  let endTimer;
  const schedule = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(() => dialog.showModal(), idleMs - warningMs);
    endTimer = setTimeout(() => {
      window.location.href = element.dataset.signOutUrl;
    }, idleMs);
  };
  dialog.querySelector('[data-action="stay"]').addEventListener("click", async () => {
    await fetch(element.dataset.keepAliveUrl, { method: "GET", credentials: "same-origin" });
    dialog.close();
    schedule();
  });
  schedule();
}
