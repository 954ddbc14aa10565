// Sender allow and block lists, and recipient groups: add and remove entries (removals confirmed).
import {segment} from './api.js';
import {el, field, formValues, show, table, time} from './dom.js';

const LISTS = ['allow', 'block'];

export async function render(container, ui) {
  const listAreas = Object.fromEntries(LISTS.map(list => [list, el('section', {id: `list-${list}`})]));
  const groupsArea = el('section', {id: 'groups'});

  const loadList = async list => {
    const entries = await ui.api(`/bulwark/lists/${list}`);
    const form = el('form', {class: 'filters', id: `add-${list}`},
      field('Pattern', 'pattern', {placeholder: 'a@example.com or @example.com', required: true}),
      field('Comment', 'comment', {maxlength: 1000}),
      el('button', {type: 'submit'}, `Add to ${list} list`));
    form.addEventListener('submit', event => {
      event.preventDefault();
      const values = formValues(form);
      ui.api(`/bulwark/lists/${list}/${segment(values.pattern || '')}`, {method: 'PUT', body: values.comment ? {comment: values.comment} : undefined})
        .then(() => { ui.notice(`${values.pattern} added to the ${list} list.`); return loadList(list); })
        .catch(ui.showError);
    });
    show(listAreas[list], el('h2', {}, `${list === 'allow' ? 'Allow' : 'Block'} list (senders)`),
      entries.length
        ? table(['Pattern', 'Comment', 'Added', ''], entries.map(entry => [entry.pattern, entry.comment || '', time(entry.createdAt),
          el('td', {}, el('button', {type: 'button', class: 'danger', on: {click: () => removeFromList(list, entry.pattern).catch(ui.showError)}}, 'Remove'))]),
        {id: `${list}-table`})
        : el('p', {class: 'empty'}, 'Empty.'),
      form);
  };

  const removeFromList = async (list, pattern) => {
    if (!await ui.confirm(`Remove ${pattern} from the ${list} list?`, 'Remove')) {
      return;
    }
    await ui.api(`/bulwark/lists/${list}/${segment(pattern)}`, {method: 'DELETE'});
    ui.notice(`${pattern} removed from the ${list} list.`);
    await loadList(list);
  };

  const loadGroups = async () => {
    const groups = await ui.api('/bulwark/groups');
    const form = el('form', {class: 'filters', id: 'add-member'},
      field('Group', 'group', {required: true}),
      field('Member', 'member', {placeholder: 'a@example.com or @example.com', required: true}),
      el('button', {type: 'submit'}, 'Add member'));
    form.addEventListener('submit', event => {
      event.preventDefault();
      const values = formValues(form);
      ui.api(`/bulwark/groups/${segment(values.group || '')}/${segment(values.member || '')}`, {method: 'PUT'})
        .then(() => { ui.notice(`${values.member} added to group ${values.group}.`); return loadGroups(); })
        .catch(ui.showError);
    });
    const rows = Object.entries(groups).flatMap(([group, members]) => members.map(member => [group, member,
      el('td', {}, el('button', {type: 'button', class: 'danger', on: {click: () => removeMember(group, member).catch(ui.showError)}}, 'Remove'))]));
    show(groupsArea, el('h2', {}, 'Recipient groups'),
      rows.length ? table(['Group', 'Member', ''], rows, {id: 'groups-table'}) : el('p', {class: 'empty'}, 'No groups.'),
      form);
  };

  const removeMember = async (group, member) => {
    if (!await ui.confirm(`Remove ${member} from group ${group}?`, 'Remove')) {
      return;
    }
    await ui.api(`/bulwark/groups/${segment(group)}/${segment(member)}`, {method: 'DELETE'});
    ui.notice(`${member} removed from group ${group}.`);
    await loadGroups();
  };

  show(container, listAreas.allow, listAreas.block, groupsArea);
  await Promise.all([...LISTS.map(loadList), loadGroups()]);
}
