// The page's two modal dialogs: the API token (asked once, kept for the
// tab) and a yes/no confirmation before a destructive action.

import { setToken } from './api.js';
import { announce } from './dom.js';

// -- the token, asked once and kept for the tab -------------------------------

let asking = null;

/** Opens the token dialog (once, however many requests were refused);
 * resolves true when a token was entered. */
export function askForToken(why) {
  if (asking) return asking;
  asking = openTokenDialog(why).finally(() => { asking = null; });
  return asking;
}

function openTokenDialog(why) {
  const dialog = document.getElementById('token-dialog');
  const input = document.getElementById('token-input');
  if (why) document.getElementById('token-why').textContent = why;
  input.value = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', function done() {
      dialog.removeEventListener('close', done);
      if (dialog.returnValue === 'save' && input.value.trim()) {
        setToken(input.value.trim());
        announce('Token set for this tab.');
        resolve(true);
      } else {
        if (dialog.returnValue === 'clear') {
          setToken('');
          announce('Token forgotten.');
        }
        resolve(false);
      }
      input.value = '';
    });
    dialog.returnValue = '';
    dialog.showModal();
    input.focus();
  });
}

/** A modal yes/no question; resolves true for yes. */
export function confirmAction(text, yesLabel = 'Yes') {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-yes').textContent = yesLabel;
  return new Promise((resolve) => {
    dialog.addEventListener('close', function done() {
      dialog.removeEventListener('close', done);
      resolve(dialog.returnValue === 'yes');
    });
    dialog.returnValue = '';
    dialog.showModal();
  });
}

