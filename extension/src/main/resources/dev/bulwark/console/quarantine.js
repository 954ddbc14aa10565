// Quarantine and held mail: filter and page the entries, inspect one (metadata, headers, MIME tree),
// download it, release it to chosen recipients, delete it. Release and delete ask for confirmation first.
// Held mail (scan-failed, unscannable: no scanner judged it) is released after a rescan, or unscanned
// with a reason the admin must give.
import {segment} from './api.js';
import {el, field, formValues, query, show, table, time} from './dom.js';

const PAGE_SIZE = 25;
const REASONS = ['virus', 'suspicious', 'banned', 'spam', 'policy', 'scan-failed', 'unscannable'];
/** Mail no scanner judged: released after a rescan, or unscanned with a reason. */
const HELD = ['scan-failed', 'unscannable'];

export function isHeld(entry) {
  return HELD.includes(entry.reason);
}

export async function render(container, ui) {
  const state = {filter: {}, offset: 0};
  const listArea = el('section', {id: 'quarantine-list'});
  const detailArea = el('section', {id: 'quarantine-detail', hidden: true});
  const form = el('form', {id: 'quarantine-filter', class: 'filters'},
    el('label', {}, el('span', {}, 'Reason'),
      el('select', {name: 'reason'}, el('option', {value: ''}, 'any'),
        REASONS.map(reason => el('option', {value: reason}, HELD.includes(reason) ? `${reason} (held)` : reason)))),
    field('Sender', 'sender', {placeholder: 'a@example.com or @example.com'}),
    field('Recipient', 'recipient', {placeholder: 'b@example.com or @example.com'}),
    field('Virus name contains', 'virus'),
    field('After', 'after', {placeholder: '2026-01-31T00:00:00Z'}),
    field('Before', 'before', {placeholder: '2026-01-31T00:00:00Z'}),
    el('button', {type: 'submit', id: 'quarantine-search'}, 'Search'));
  form.addEventListener('submit', event => {
    event.preventDefault();
    state.filter = formValues(form);
    state.offset = 0;
    load().catch(ui.showError);
  });

  const load = async () => {
    ui.clearError();
    const search = query({...state.filter, offset: state.offset, limit: PAGE_SIZE});
    const page = await ui.api(`/bulwark/quarantine${search}`);
    showPage(page);
    // Which search the list shows: lets a reader (or a test) tell a new result from the previous one.
    listArea.dataset.search = search;
  };

  const showPage = page => {
    const rows = page.entries.map(entry => el('tr', {class: 'entry', 'data-id': entry.id},
      el('td', {}, time(entry.quarantinedAt)),
      el('td', {class: isHeld(entry) ? 'reason held' : 'reason'}, isHeld(entry) ? `${entry.reason} (held)` : entry.reason),
      el('td', {class: 'sender'}, entry.sender || '<>'),
      el('td', {class: 'recipients'}, entry.recipients.join(', ')),
      el('td', {class: 'subject'}, entry.subject || ''),
      el('td', {}, entry.virusNames.length ? entry.virusNames.join(', ') : (entry.spamScore != null ? `spam score ${entry.spamScore}` : '')),
      el('td', {}, entry.releases.length ? `${entry.releases.flatMap(release => release.recipients).length} of ${entry.recipients.length}` : ''),
      el('td', {}, el('button', {type: 'button', class: 'inspect', on: {click: () => inspect(entry.id).catch(ui.showError)}}, 'Inspect'))));
    const last = Math.min(page.offset + page.entries.length, page.total);
    show(listArea,
      el('p', {class: 'paging'},
        el('button', {type: 'button', id: 'quarantine-previous', disabled: page.offset === 0,
          on: {click: () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); load().catch(ui.showError); }}}, 'Previous'),
        el('span', {id: 'quarantine-range'}, page.total ? ` ${page.offset + 1}–${last} of ${page.total} ` : ' no entries '),
        el('button', {type: 'button', id: 'quarantine-next', disabled: last >= page.total,
          on: {click: () => { state.offset += PAGE_SIZE; load().catch(ui.showError); }}}, 'Next')),
      page.entries.length
        ? table(['Quarantined', 'Reason', 'Sender', 'Recipients', 'Subject', 'Found', 'Released', ''], rows, {id: 'quarantine-table'})
        : el('p', {class: 'empty'}, 'Nothing in quarantine matches.'));
  };

  const inspect = async id => {
    ui.clearError();
    const [entry, structure] = await Promise.all([
      ui.api(`/bulwark/quarantine/${segment(id)}`),
      ui.api(`/bulwark/quarantine/${segment(id)}/structure`)]);
    showDetail(entry, structure);
  };

  const showDetail = (entry, structure) => {
    const released = new Set(entry.releases.flatMap(release => release.recipients));
    const choices = entry.recipients.map(recipient => el('label', {class: 'recipient-choice'},
      el('input', {type: 'checkbox', name: 'recipient', value: recipient, checked: !released.has(recipient), disabled: released.has(recipient)}),
      ` ${recipient}`, released.has(recipient) ? ' (released)' : ''));
    const chosen = () => choices.map(choice => choice.querySelector('input')).filter(box => box.checked && !box.disabled).map(box => box.value);
    const allReleased = released.size === entry.recipients.length;
    const reasonField = el('input', {type: 'text', name: 'unscanned-reason', id: 'unscanned-reason', maxlength: 500,
      placeholder: 'why it may be delivered without a verdict'});
    const releaseForm = isHeld(entry)
      ? el('form', {id: 'release-form'}, el('h3', {}, 'Release held mail'),
        el('p', {class: 'held-note'}, 'No virus scanner has judged this mail. "Rescan and release" scans it now and lets it through '
          + 'every check of the pipeline only if the scan gives a verdict; "Release unscanned" delivers it without one, with your reason recorded.'),
        choices,
        el('button', {type: 'submit', id: 'release-button', disabled: allReleased}, 'Rescan and release'),
        el('label', {class: 'unscanned-reason'}, el('span', {}, 'Reason'), reasonField),
        el('button', {type: 'button', id: 'release-unscanned-button', class: 'danger', disabled: allReleased,
          on: {click: () => releaseUnscanned(entry, chosen(), reasonField.value).catch(ui.showError)}}, 'Release unscanned'))
      : el('form', {id: 'release-form'}, el('h3', {}, 'Release'), choices,
        el('button', {type: 'submit', id: 'release-button', disabled: allReleased}, 'Release to selected recipients'),
        // A false positive: released, and the spam engines learn it as ham for each recipient.
        entry.reason === 'spam'
          ? el('button', {type: 'button', id: 'release-ham-button', disabled: allReleased,
            on: {click: () => release(entry, chosen(), true).catch(ui.showError)}}, 'Release as not spam (learn as ham)')
          : null);
    releaseForm.addEventListener('submit', event => {
      event.preventDefault();
      (isHeld(entry) ? rescanAndRelease(entry, chosen()) : release(entry, chosen())).catch(ui.showError);
    });
    show(detailArea,
      el('h2', {}, 'Entry ', el('code', {id: 'detail-id'}, entry.id)),
      el('div', {class: 'actions'},
        el('button', {type: 'button', id: 'download-button', on: {click: () => download(ui, entry).catch(ui.showError)}}, 'Download .eml'),
        el('button', {type: 'button', id: 'delete-button', class: 'danger', on: {click: () => remove(entry).catch(ui.showError)}}, 'Delete'),
        el('button', {type: 'button', on: {click: () => { detailArea.hidden = true; }}}, 'Close')),
      metadata(entry),
      releaseForm,
      el('h3', {}, 'Headers'),
      table(['Name', 'Value'], structure.headers.map(header => [header.name, el('td', {class: 'header-value'}, header.value)]), {id: 'headers-table'}),
      el('h3', {}, 'MIME structure'),
      el('ul', {class: 'mime', id: 'mime-tree'}, part(structure.root)),
      structure.truncated ? el('p', {class: 'problem'}, 'The message is larger than the inspection limits; the lists above are cut.') : null);
    detailArea.hidden = false;
    detailArea.scrollIntoView({block: 'start'});
  };

  const release = async (entry, recipients, learnAsHam = false) => {
    if (recipients.length === 0) {
      ui.notice('Choose at least one recipient to release to.');
      return;
    }
    const question = `Release "${entry.subject || '(no subject)'}" to ${recipients.join(', ')}? `
      + 'It was quarantined as ' + entry.reason + (entry.virusNames.length ? ` (${entry.virusNames.join(', ')})` : '') + ' and will be delivered unscanned.'
      + (learnAsHam ? ' The spam engines learn it as ham (not spam) for each of them.' : '');
    if (!await ui.confirm(question, learnAsHam ? 'Release as not spam' : 'Release')) {
      return;
    }
    const updated = await ui.api(`/bulwark/quarantine/${segment(entry.id)}/release`,
      {method: 'POST', body: learnAsHam ? {recipients, learnAsHam: true} : {recipients}});
    ui.notice(`Released to ${recipients.join(', ')}${learnAsHam ? ', learned as ham' : ''}.`);
    const structure = await ui.api(`/bulwark/quarantine/${segment(entry.id)}/structure`);
    showDetail(updated, structure);
    await load();
  };

  const rescanAndRelease = async (entry, recipients) => {
    if (recipients.length === 0) {
      ui.notice('Choose at least one recipient to release to.');
      return;
    }
    if (!await ui.confirm(`Rescan "${entry.subject || '(no subject)'}" and, if the scan gives a verdict, release it to ${recipients.join(', ')}? `
      + 'It goes through every check again: infected mail is quarantined, not delivered.', 'Rescan and release')) {
      return;
    }
    await afterRelease(entry, recipients, await ui.api(`/bulwark/quarantine/${segment(entry.id)}/release`, {method: 'POST', body: {recipients}}));
  };

  const releaseUnscanned = async (entry, recipients, reason) => {
    if (recipients.length === 0) {
      ui.notice('Choose at least one recipient to release to.');
      return;
    }
    if (!reason.trim()) {
      ui.notice('Give the reason why this mail may be delivered without a virus scan; it is recorded.');
      return;
    }
    if (!await ui.confirm(`Deliver "${entry.subject || '(no subject)'}" to ${recipients.join(', ')} WITHOUT a virus scan? `
      + `Reason recorded: ${reason.trim()}`, 'Release unscanned')) {
      return;
    }
    await afterRelease(entry, recipients, await ui.api(`/bulwark/quarantine/${segment(entry.id)}/release`,
      {method: 'POST', body: {recipients, unscanned: true, reason: reason.trim()}}));
  };

  const afterRelease = async (entry, recipients, updated) => {
    ui.notice(`Released to ${recipients.join(', ')}.`);
    const structure = await ui.api(`/bulwark/quarantine/${segment(entry.id)}/structure`);
    showDetail(updated, structure);
    await load();
  };

  const remove = async entry => {
    if (!await ui.confirm(`Delete "${entry.subject || '(no subject)'}" from the quarantine for good?`, 'Delete')) {
      return;
    }
    await ui.api(`/bulwark/quarantine/${segment(entry.id)}`, {method: 'DELETE'});
    ui.notice(`Deleted ${entry.id}.`);
    detailArea.hidden = true;
    await load();
  };

  show(container, el('h2', {}, 'Quarantine and held mail'), form, listArea, detailArea);
  await load();
}

function metadata(entry) {
  const rows = [
    ['Reason', isHeld(entry) ? `${entry.reason} (held: no scanner has judged it)` : entry.reason],
    ['Subject', entry.subject || ''],
    ['Message-ID', entry.messageId || ''],
    ['Sender', entry.sender || '<>'],
    ['Recipients', entry.recipients.join(', ')],
    ['Delivered by', [entry.remoteHost, entry.remoteAddress].filter(Boolean).join(' ')],
    // Taken out of a mailbox by store-level scanning: whose mailbox, which one, and whose session added the message.
    ['Taken out of', entry.origin ? `${entry.origin.mailbox} of ${entry.origin.owner}` : ''],
    ['Added by', entry.origin && entry.origin.actor ? entry.origin.actor : ''],
    ['Size', `${entry.size} bytes`],
    ['Quarantined', time(entry.quarantinedAt)],
    ['Expires', time(entry.expiresAt)],
    ['Viruses', entry.virusNames.join(', ')],
    ['Spam score', entry.spamScore != null ? String(entry.spamScore) : ''],
    ...Object.entries(entry.verdict || {}).map(([name, value]) => [name, value]),
    ['Latest rescan', entry.rescan ? `${entry.rescan.verdict}${entry.rescan.virusNames.length ? ` (${entry.rescan.virusNames.join(', ')})` : ''} at ${time(entry.rescan.rescannedAt)}` : ''],
    ...entry.releases.map(release => ['Released', `to ${release.recipients.join(', ')} by ${release.releasedBy} at ${time(release.releasedAt)}`
      + (release.unscannedReason ? `, unscanned: ${release.unscannedReason}` : '')]),
  ];
  return el('dl', {id: 'entry-metadata'}, rows.filter(([, value]) => value !== '').map(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]));
}

/** One node of the MIME tree: type, file name, disposition, encoding, size; never the content. */
function part(node) {
  const facts = [node.fileName ? `"${node.fileName}"` : null, node.disposition, node.transferEncoding, `${node.size} bytes`].filter(Boolean);
  return el('li', {},
    el('span', {class: 'content-type'}, node.contentType), ' ', el('span', {class: 'part-facts'}, facts.join(', ')),
    node.problem ? el('span', {class: 'problem'}, ` ${node.problem}`) : null,
    node.parts && node.parts.length ? el('ul', {}, node.parts.map(part)) : null);
}

/** Fetched with the token (a plain link could not send it), then saved from a local blob URL. */
async function download(ui, entry) {
  const blob = await ui.api(`/bulwark/quarantine/${segment(entry.id)}/eml`, {as: 'blob'});
  const url = URL.createObjectURL(blob);
  const link = el('a', {href: url, download: `${entry.id}.eml`, hidden: true});
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
