// The console's shell: navigation between views, the banners (error, notice, outbreak) and the
// confirmation dialog every destructive action goes through.
import {ApiError, api, forgetToken, token} from './api.js';
import {el, plain, show} from './dom.js';
import * as dashboard from './dashboard.js';
import * as quarantine from './quarantine.js';
import * as events from './events.js';
import * as lists from './lists.js';
import * as policies from './policies.js';

const VIEWS = {dashboard, quarantine, events, lists, policies};

/** What every view gets: the API, the banners and the confirmation. */
const ui = {
  api,
  showError(error) {
    const text = error instanceof ApiError ? error.describe() : `Unexpected problem: ${error && error.message ? error.message : error}`;
    document.getElementById('error-text').textContent = plain(text);
    document.getElementById('error').hidden = false;
    console.error(error);
  },
  clearError() {
    document.getElementById('error').hidden = true;
    document.getElementById('error-text').textContent = '';
  },
  notice(text) {
    const notice = document.getElementById('notice');
    notice.textContent = plain(text || '');
    notice.hidden = !text;
  },
  outbreak(state) {
    const banner = document.getElementById('outbreak');
    if (state && state.active) {
      show(banner, el('strong', {}, 'Outbreak'), ` since ${new Date(state.since).toLocaleString()}: `, state.cause || '');
      banner.hidden = false;
    } else {
      banner.hidden = true;
      banner.replaceChildren();
    }
  },
  /** Resolves true only when the admin presses the confirm button of the dialog. */
  confirm(question, action) {
    const dialog = document.getElementById('confirm-dialog');
    const form = document.getElementById('confirm-form');
    const no = document.getElementById('confirm-no');
    document.getElementById('confirm-text').textContent = plain(question);
    document.getElementById('confirm-yes').textContent = action;
    return new Promise(resolve => {
      const finish = answer => {
        form.removeEventListener('submit', yes);
        no.removeEventListener('click', cancel);
        dialog.removeEventListener('cancel', cancel);
        if (dialog.open) {
          dialog.close();
        }
        resolve(answer);
      };
      const yes = event => {
        event.preventDefault();
        finish(true);
      };
      const cancel = event => {
        event.preventDefault();
        finish(false);
      };
      form.addEventListener('submit', yes);
      no.addEventListener('click', cancel);
      dialog.addEventListener('cancel', cancel);
      dialog.showModal();
      no.focus();
    });
  },
};

async function route() {
  const name = (location.hash || '#dashboard').slice(1).split('?')[0];
  const view = VIEWS[name] || dashboard;
  for (const key of Object.keys(VIEWS)) {
    document.getElementById(`nav-${key}`).classList.toggle('current', VIEWS[key] === view);
  }
  ui.clearError();
  ui.notice('');
  const container = document.getElementById('view');
  container.replaceChildren(el('p', {class: 'loading'}, 'Loading…'));
  container.dataset.view = name;
  try {
    await view.render(container, ui);
  } catch (error) {
    ui.showError(error);
  }
  document.getElementById('forget-token').hidden = !token();
  // Checked on every view: an outbreak matters wherever the admin is.
  api('/bulwark/outbreak').then(ui.outbreak, ui.showError);
}

document.getElementById('error-dismiss').addEventListener('click', () => ui.clearError());
document.getElementById('forget-token').addEventListener('click', () => {
  forgetToken();
  location.reload();
});
window.addEventListener('hashchange', route);
route();
