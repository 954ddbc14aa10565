// Security events (search by kind, Message-ID, sender, recipient, time) and the trace of one message.
import {el, field, formValues, query, show, table, time} from './dom.js';

const PAGE_SIZE = 50;
const KINDS = ['verdict.clean', 'verdict.infected', 'verdict.suspicious', 'verdict.unscannable', 'verdict.error',
  'spam.ham', 'spam.spam', 'spam.skipped', 'spam.error', 'quarantine.stored', 'quarantine.released', 'quarantine.deleted',
  'quarantine.expired', 'held.stored', 'held.returned', 'scanner.down', 'scanner.broken', 'scanner.degraded', 'scanner.recovered', 'outbreak.started',
  'outbreak.ended', 'notice.sent', 'notice.suppressed', 'config.size-limit', 'spam.learned', 'spam.learn-failed'];

export async function render(container, ui) {
  const state = {filter: {}, offset: 0};
  const listArea = el('section', {id: 'events-list'});
  const traceArea = el('section', {id: 'trace-result'});

  const form = el('form', {id: 'events-filter', class: 'filters'},
    field('Kind', 'kind', {list: 'event-kinds', placeholder: 'verdict.infected'}),
    el('datalist', {id: 'event-kinds'}, KINDS.map(kind => el('option', {value: kind}))),
    field('Message-ID', 'messageId', {placeholder: '<abc@example.com>'}),
    field('Sender', 'sender'),
    field('Recipient', 'recipient'),
    field('After', 'after', {placeholder: '2026-01-31T00:00:00Z'}),
    field('Before', 'before', {placeholder: '2026-01-31T00:00:00Z'}),
    el('button', {type: 'submit', id: 'events-search'}, 'Search'));
  form.addEventListener('submit', event => {
    event.preventDefault();
    state.filter = formValues(form);
    state.offset = 0;
    load().catch(ui.showError);
  });

  const traceForm = el('form', {id: 'trace-form', class: 'filters'},
    field('Message-ID', 'messageId', {id: 'trace-message-id', placeholder: '<abc@example.com>', required: true}),
    el('button', {type: 'submit', id: 'trace-button'}, 'Trace'));
  traceForm.addEventListener('submit', event => {
    event.preventDefault();
    trace(formValues(traceForm).messageId).catch(ui.showError);
  });

  const load = async () => {
    ui.clearError();
    const events = await ui.api(`/bulwark/events${query({...state.filter, offset: state.offset, limit: PAGE_SIZE})}`);
    show(listArea,
      el('p', {class: 'paging'},
        el('button', {type: 'button', disabled: state.offset === 0,
          on: {click: () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); load().catch(ui.showError); }}}, 'Newer'),
        ` ${events.length ? `${state.offset + 1}–${state.offset + events.length}` : 'no events'} `,
        el('button', {type: 'button', disabled: events.length < PAGE_SIZE,
          on: {click: () => { state.offset += PAGE_SIZE; load().catch(ui.showError); }}}, 'Older')),
      events.length ? eventTable(events, messageId => trace(messageId).catch(ui.showError), 'events-table') : null);
  };

  const trace = async messageId => {
    if (!messageId) {
      return;
    }
    ui.clearError();
    const result = await ui.api(`/bulwark/trace${query({messageId})}`);
    show(traceArea, el('h3', {}, 'Trace of ', el('code', {}, result.messageId)),
      result.events.length ? eventTable(result.events, null, 'trace-table') : el('p', {class: 'empty'}, 'No event names this Message-ID.'));
    traceArea.scrollIntoView({block: 'start'});
  };

  show(container, el('h2', {}, 'Security events'), form, listArea, el('h2', {}, 'Message trace'), traceForm, traceArea);
  await load();
}

function eventTable(events, onTrace, id) {
  return table(['Time', 'Kind', 'Message-ID', 'Sender', 'Recipients', 'Details', 'Node'], events.map(event => [
    time(event.time),
    event.kind,
    event.messageId
      ? (onTrace ? el('td', {}, el('button', {type: 'button', class: 'link', title: 'Trace this message', on: {click: () => onTrace(event.messageId)}}, event.messageId)) : event.messageId)
      : '',
    event.sender || '',
    (event.recipients || []).join(', '),
    el('td', {class: 'details'}, Object.entries(event.details || {}).map(([name, value]) => el('div', {}, el('span', {class: 'name'}, `${name}: `), value))),
    event.node || '',
  ]), {id});
}
