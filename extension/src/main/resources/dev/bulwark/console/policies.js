// Runtime policies (docs/policy.md): the default and the groups' policies, edited as JSON with the server's
// own validation (errors name the field), the effective policy for an address, and the history with rollback.
import {segment} from './api.js';
import {el, field, formValues, show, table, time} from './dom.js';

export async function render(container, ui) {
  const overview = el('section', {id: 'policies'});
  const editor = el('section', {id: 'policy-editor'});
  const effective = el('section', {id: 'policy-effective'});
  const history = el('section', {id: 'policy-history'});

  const path = scope => scope === 'default' ? '/bulwark/policies/default' : `/bulwark/policies/groups/${segment(scope)}`;

  const loadOverview = async () => {
    const all = await ui.api('/bulwark/policies');
    const rows = [['default', all.default], ...Object.entries(all.groups)].map(([name, version]) => [name,
      name === 'default' ? '' : String((version.policy && version.policy.priority) || 0), String(version.version), version.changedBy,
      time(version.changedAt), el('td', {}, el('button', {type: 'button', on: {click: () => edit(name).catch(ui.showError)}}, 'Edit'))]);
    show(overview, el('h2', {}, 'Policies'), table(['Policy', 'Priority', 'Version', 'Changed by', 'Changed', ''], rows, {id: 'policies-table'}));
  };

  const edit = async scope => {
    let current = null;
    try {
      current = await ui.api(path(scope));
    } catch (error) {
      if (error.status !== 404) {
        throw error;
      }
    }
    const text = el('textarea', {id: 'policy-json', rows: 18, cols: 80, spellcheck: 'false'});
    text.value = JSON.stringify(current ? current.policy : {priority: 0}, null, 2);
    const body = () => {
      try {
        return JSON.parse(text.value);
      } catch (notJson) {
        throw new Error(`the policy is not JSON: ${notJson.message}`);
      }
    };
    const validate = () => {
      const request = scope === 'default' ? {policy: body()} : {group: scope, policy: body()};
      return ui.api('/bulwark/policies/validate', {method: 'POST', body: request}).then(() => ui.notice(`The ${scope} policy is valid.`));
    };
    const save = () => ui.api(path(scope), {method: 'PUT', body: body()}).then(saved => {
      ui.notice(`Policy ${scope} saved as version ${saved.version}.`);
      return Promise.all([loadOverview(), loadHistory()]);
    });
    const run = action => () => {
      ui.clearError();
      try {
        action().catch(ui.showError);
      } catch (error) {
        ui.showError(error);
      }
    };
    show(editor, el('h2', {}, `Edit policy ${scope}`), text,
      el('div', {class: 'actions'},
        el('button', {type: 'button', id: 'policy-validate', on: {click: run(validate)}}, 'Validate'),
        el('button', {type: 'button', id: 'policy-save', on: {click: run(save)}}, 'Save')));
  };

  const groupForm = el('form', {class: 'filters', id: 'policy-group'}, field('Group', 'group', {required: true}),
    el('button', {type: 'submit'}, 'Edit group policy'));
  groupForm.addEventListener('submit', event => {
    event.preventDefault();
    edit(formValues(groupForm).group || '').catch(ui.showError);
  });

  const addressForm = el('form', {class: 'filters', id: 'policy-address'}, field('Address', 'address', {required: true}),
    el('button', {type: 'submit'}, 'Show effective policy'));
  const answer = el('div', {id: 'policy-effective-answer'});
  addressForm.addEventListener('submit', event => {
    event.preventDefault();
    ui.api(`/bulwark/policies/effective?address=${segment(formValues(addressForm).address || '')}`)
      .then(result => show(answer, el('p', {}, `${result.group ? `Group ${result.group}` : 'Default policy'} (version ${result.version}): ${result.reason}`),
        el('pre', {}, JSON.stringify(result.policy))))
      .catch(ui.showError);
  });
  show(effective, el('h2', {}, 'Effective policy'), addressForm, answer);

  const loadHistory = async () => {
    const versions = await ui.api('/bulwark/policies/history?limit=50');
    show(history, el('h2', {}, 'History'), table(['Version', 'Policy', 'Change', 'By', 'When', 'After', ''], versions.map(version => [
      String(version.version), version.scope, version.change, version.changedBy, time(version.changedAt), JSON.stringify(version.policy),
      el('td', {}, el('button', {type: 'button', on: {click: () => rollback(version).catch(ui.showError)}}, 'Roll back to this'))]),
    {id: 'policy-history-table'}));
  };

  const rollback = async version => {
    if (!await ui.confirm(`Make version ${version.version} of ${version.scope} current again?`, 'Roll back')) {
      return;
    }
    const written = await ui.api('/bulwark/policies/rollback', {method: 'POST', body: {version: version.version}});
    ui.notice(`${version.scope} rolled back to version ${version.version} (now version ${written.version}).`);
    await Promise.all([loadOverview(), loadHistory()]);
  };

  show(container, overview, groupForm, editor, effective, history);
  await Promise.all([loadOverview(), loadHistory()]);
}
