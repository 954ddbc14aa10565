// Dashboard: what Bulwark counted over 1h, 24h and 7d (from the security events), a chart of the
// chosen window, top viruses, quarantine and held mail contents, and the scanners' health.
import {el, show, svg, table, time} from './dom.js';

const WINDOWS = ['1h', '24h', '7d'];
/** The figures shown, each computed from the totals of GET /bulwark/stats. */
const MEASURES = [
  {key: 'scanned', label: 'Scanned', count: totals => sumOf(totals, kind => kind.startsWith('verdict.'))},
  {key: 'infected', label: 'Infected', count: totals => totals['verdict.infected'] || 0},
  {key: 'spam', label: 'Spam', count: totals => totals['spam.spam'] || 0},
  {key: 'quarantined', label: 'Quarantined', count: totals => totals['quarantine.stored'] || 0},
  {key: 'held', label: 'Held unscanned', count: totals => totals['held.stored'] || 0},
];
const BUCKET_SECONDS = {'1h': 60, '24h': 3600, '7d': 3600};

function sumOf(totals, selected) {
  return Object.entries(totals).filter(([kind]) => selected(kind)).reduce((sum, [, count]) => sum + count, 0);
}

export async function render(container, ui) {
  const [stats1h, stats24h, stats7d] = await Promise.all(WINDOWS.map(window => ui.api(`/bulwark/stats?window=${window}`)));
  const stats = {'1h': stats1h, '24h': stats24h, '7d': stats7d};
  const chartArea = el('div', {id: 'charts'});
  const topArea = el('div', {id: 'top-viruses'});
  const windowButtons = WINDOWS.map(window => el('button', {
    type: 'button', id: `chart-window-${window}`,
    on: {click: () => showWindow(window)},
  }, window));
  const showWindow = window => {
    windowButtons.forEach(button => button.classList.toggle('current', button.textContent === window));
    show(chartArea, MEASURES.map(measure => chart(stats[window], window, measure)));
    const top = stats[window].topViruses || [];
    show(topArea, el('h3', {}, `Top viruses (${window})`), top.length
      ? table(['Virus', 'Detections'], top.map(ranked => [ranked.name, String(ranked.count)]), {id: 'top-viruses-table'})
      : el('p', {class: 'empty'}, 'No virus detected in this window.'));
  };

  const scannersArea = el('section', {id: 'scanner-health'}, el('h2', {}, 'Scanner health'), el('p', {class: 'loading'}, 'Loading…'));
  const quarantineArea = el('section', {id: 'quarantine-counts'}, el('h2', {}, 'In quarantine and held'), el('p', {class: 'loading'}, 'Loading…'));

  show(container,
    el('section', {id: 'counts'},
      el('h2', {}, 'Mail handled'),
      table(['', ...WINDOWS.map(window => `last ${window}`)], MEASURES.map(measure => el('tr', {},
        el('th', {scope: 'row'}, measure.label),
        WINDOWS.map(window => el('td', {id: `count-${measure.key}-${window}`, class: 'number'},
          String(measure.count(stats[window].totals || {})))))), {id: 'counts-table'}),
      el('div', {class: 'window-choice'}, 'Chart: ', windowButtons),
      chartArea,
      topArea),
    quarantineArea,
    scannersArea);
  showWindow('24h');

  // Independent panels: one failing (e.g. /healthcheck) must not hide the others.
  ui.api('/bulwark/quarantine/counts').then(counts => show(quarantineArea, el('h2', {}, 'In quarantine and held'),
    table(['Reason', 'Entries'], Object.entries(counts).map(([reason, count]) => [reason, String(count)]), {id: 'quarantine-counts-table'})),
  ui.showError);
  Promise.all([ui.api('/bulwark/scanners'), ui.api('/healthcheck', {accept: [503]})])
    .then(([scanners, health]) => show(scannersArea, el('h2', {}, 'Scanner health'), healthView(health), integrityView(scanners), poolsView(scanners)),
      ui.showError);
}

/** Bars per time bucket of one window; buckets without events are drawn empty, not left out. */
function chart(stats, window, measure) {
  const bucketMillis = BUCKET_SECONDS[window] * 1000;
  const counts = new Map();
  for (const bucket of stats.series || []) {
    counts.set(new Date(bucket.start).getTime(), measure.count(bucket.counts || {}));
  }
  const first = Math.floor(new Date(stats.from).getTime() / bucketMillis) * bucketMillis;
  const last = new Date(stats.to).getTime();
  const values = [];
  for (let start = first; start <= last; start += bucketMillis) {
    values.push({start, count: counts.get(start) || 0});
  }
  const width = 600;
  const height = 90;
  const max = Math.max(1, ...values.map(value => value.count));
  const barWidth = width / values.length;
  return el('figure', {class: 'chart', id: `chart-${measure.key}`},
    el('figcaption', {}, `${measure.label}, ${window} (max ${max} per ${BUCKET_SECONDS[window] === 60 ? 'minute' : 'hour'})`),
    svg('svg', {viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `${measure.label} over ${window}`},
      values.filter(value => value.count > 0).map(value => {
        const barHeight = Math.max(2, (value.count / max) * (height - 4));
        const index = (value.start - first) / bucketMillis;
        return svg('rect', {x: index * barWidth, y: height - barHeight, width: Math.max(1, barWidth - 1), height: barHeight, class: `bar ${measure.key}`},
          svg('title', {}, `${new Date(value.start).toLocaleString()}: ${value.count}`));
      }),
      svg('line', {x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5, class: 'axis'})));
}

function healthView(health) {
  return el('div', {id: 'healthcheck'},
    el('p', {}, 'James health check: ', el('strong', {class: `status ${health.status}`, id: 'health-status'}, health.status)),
    table(['Check', 'Status', 'Cause'], (health.checks || []).map(check => [check.componentName, el('td', {class: `status ${check.status}`}, check.status), check.cause || ''])));
}

function integrityView(scanners) {
  return el('div', {},
    el('h3', {}, 'Integrity watch'),
    table(['Daemon', 'Endpoint', 'Condition', 'Engine', 'Signatures', 'Checked', 'Reason'],
      (scanners.integrity || []).map(state => [state.daemon, state.endpoint, el('td', {class: `condition ${state.condition}`}, state.condition),
        state.engine || '', signatureAge(state.signatureDate), time(state.checkedAt), state.reason || '']), {id: 'integrity-table'}));
}

function signatureAge(date) {
  if (!date) {
    return 'no date';
  }
  const hours = Math.floor((Date.now() - new Date(date).getTime()) / 3600000);
  return `${time(date)} (${hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days`} old)`;
}

function poolsView(scanners) {
  const rows = [];
  for (const [daemon, endpoints] of Object.entries(scanners.pools || {})) {
    for (const pool of endpoints) {
      rows.push([daemon, pool.endpoint, pool.inService ? 'yes' : 'no', String(pool.active), String(pool.idle), String(pool.calls), String(pool.failures)]);
    }
  }
  return el('div', {}, el('h3', {}, 'Connection pools'),
    table(['Daemon', 'Endpoint', 'In service', 'Active', 'Idle', 'Calls', 'Failures'], rows, {id: 'pools-table'}));
}
