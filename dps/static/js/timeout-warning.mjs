// Warns before an idle session is signed out, as GOV.UK services do, so nobody loses a long
// form. The dialog (templates/components/timeout_warning.html) is a native <dialog>: opened
// modally it keeps focus inside itself; Escape means "stay signed in"; focus then goes back
// to where it was. "Stay signed in" POSTs to the keep-alive URL, which renews the session.
// The server keeps the real clock: before warning, and again when time is up, the page asks
// the read-only status URL, so activity in another tab is not mistaken for idleness. When
// the session has really ended the page is requested again and the server says why.

const ONE_MINUTE = 60;
// Allow for the time a request takes, so the page never acts a moment too early.
const MARGIN_SECONDS = 2;

// "4 minutes", "1 minute", "45 seconds": plain words, as GOV.UK writes them.
export function describeSeconds(seconds) {
  if (seconds >= ONE_MINUTE) {
    const minutes = Math.ceil(seconds / ONE_MINUTE);
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  const whole = Math.max(0, Math.ceil(seconds));
  return `${whole} second${whole === 1 ? "" : "s"}`;
}

// Screen readers hear the time left when it changes by a minute, and every 15 seconds in the
// last minute, rather than every second.
function announcementFor(seconds) {
  if (seconds >= ONE_MINUTE) return describeSeconds(seconds);
  return describeSeconds(Math.ceil(seconds / 15) * 15);
}

// The server answers JSON, or redirects to sign-in when it has already ended the session.
// The redirect is not followed: following it would show the sign-in page to fetch(), and its
// message saying why would be lost.
async function requestJson(url, options) {
  try {
    const response = await fetch(url, {
      ...options,
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "application/json", ...(options.headers || {}) },
    });
    if (response.type === "opaqueredirect") return { signed_in: false, ended: true };
    return response.ok ? await response.json() : null;
  } catch {
    return null; // the network failed: the caller decides what that means
  }
}

export function initTimeoutWarning(dialog) {
  if (!dialog || typeof dialog.showModal !== "function") return;
  const idleSeconds = Number(dialog.dataset.idleSeconds);
  const warningSeconds = Number(dialog.dataset.warningSeconds);
  if (!(idleSeconds > 0) || !(warningSeconds > 0) || warningSeconds >= idleSeconds) return;

  const countdown = dialog.querySelector("[data-timeout-countdown]");
  const announcement = dialog.querySelector("[data-timeout-announcement]");
  const stayButton = dialog.querySelector("[data-timeout-stay]");

  let signOutAt = 0; // ms since the epoch, by this page's clock
  let warnTimer;
  let endTimer;
  let tickTimer;
  let returnFocusTo = null;

  const secondsLeft = () => (signOutAt - Date.now()) / 1000;
  const serverStatus = () => requestJson(dialog.dataset.statusUrl, { method: "GET" });

  const tick = () => {
    const left = secondsLeft();
    countdown.textContent = describeSeconds(left);
    const spoken = announcementFor(left);
    if (announcement.textContent !== spoken) announcement.textContent = spoken;
  };

  const open = () => {
    if (dialog.open) return;
    returnFocusTo = document.activeElement;
    tick();
    dialog.showModal();
    stayButton.focus();
    tickTimer = setInterval(tick, 1000);
  };

  const close = () => {
    clearInterval(tickTimer);
    if (dialog.open) dialog.close();
    if (returnFocusTo && document.contains(returnFocusTo)) returnFocusTo.focus();
    returnFocusTo = null;
  };

  // The server's word can only postpone the warning or the sign-out, never bring it forward.
  const schedule = (seconds) => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    signOutAt = Date.now() + seconds * 1000;
    warnTimer = setTimeout(warnIfStillIdle, Math.max(0, seconds - warningSeconds) * 1000);
    endTimer = setTimeout(endIfStillIdle, seconds * 1000);
  };

  const warnIfStillIdle = async () => {
    const status = await serverStatus();
    if (status && status.signed_in && status.seconds_left > warningSeconds + MARGIN_SECONDS) {
      schedule(status.seconds_left); // another tab kept the session going
      return;
    }
    open();
  };

  const endIfStillIdle = async () => {
    const status = await serverStatus();
    if (status && status.signed_in && status.seconds_left > MARGIN_SECONDS) {
      close();
      schedule(status.seconds_left);
      return;
    }
    // Ask for this page again (a GET, never a form resubmission): the server ends the idle
    // session and sends the person to sign in, saying why.
    window.location.assign(window.location.href.split("#")[0]);
  };

  const staySignedIn = async () => {
    if (stayButton.disabled) return;
    stayButton.disabled = true;
    const status = await requestJson(dialog.dataset.keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": dialog.dataset.csrfToken },
    });
    stayButton.disabled = false;
    if (status === null) return; // could not reach the server: keep the warning up to retry
    if (!status.signed_in) {
      window.location.assign(dialog.dataset.signInUrl);
      return;
    }
    close();
    schedule(idleSeconds);
  };

  stayButton.addEventListener("click", staySignedIn);
  // Escape would close the dialog without asking the server; treat it as "stay signed in".
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  schedule(idleSeconds);
}
