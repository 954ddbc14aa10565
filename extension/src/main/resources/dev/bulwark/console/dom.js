// DOM helpers. Everything that comes from mail or from the API goes in as text: no string is ever
// parsed as HTML anywhere in the console, so a subject such as <img onerror=...> stays a string; and
// every string goes through plain(), so that it stays on one line and cannot reorder what is read.

/** Characters of one string the console shows; longer strings end with an ellipsis. */
export const MAX_TEXT = 1000;

/**
 * A string as the console shows it: line breaks and tabs as spaces, control characters, bidirectional
 * overrides and other invisible format characters as U+FFFD, at most MAX_TEXT characters.
 */
export function plain(text, max = MAX_TEXT) {
  const oneLine = String(text)
    .replace(/[\r\n\t\v\f\u0085\u2028\u2029]+/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cn}]/gu, '\uFFFD');
  const characters = Array.from(oneLine);
  return characters.length > max ? characters.slice(0, max).join('') + '\u2026' : oneLine;
}

/** Builds an element: el('td', {class: 'subject'}, entry.subject). Strings become text nodes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  setProps(node, props);
  append(node, children);
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

/** Same as el() for SVG elements (charts). */
export function svg(tag, props = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  setProps(node, props);
  append(node, children);
  return node;
}

function setProps(node, props) {
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key === 'on') {
      for (const [event, handler] of Object.entries(value)) {
        node.addEventListener(event, handler);
      }
    } else if (key === 'class') {
      node.setAttribute('class', value);
    } else if (key === 'checked' || key === 'disabled' || key === 'value') {
      node[key] = value;
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) {
      continue;
    }
    node.append(child instanceof Node ? child : plain(child));
  }
}

/** Replaces a node's content with the given children. */
export function show(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** An ISO-8601 instant as local date and time, or an empty string. */
export function time(iso) {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** A table with a header row; rows are arrays of cells (strings or nodes, or el('td') to set a class). */
export function table(headings, rows, props = {}) {
  return el('table', props,
    el('thead', {}, el('tr', {}, headings.map(heading => el('th', {}, heading)))),
    el('tbody', {}, rows.map(row => row instanceof Node ? row : el('tr', {}, row.map(cell)))));
}

export function cell(value) {
  return value instanceof Node && value.nodeName === 'TD' ? value : el('td', {}, value);
}

/** A labelled input for filter and edit forms. */
export function field(label, name, props = {}) {
  const id = props.id || `field-${name}-${Math.random().toString(36).slice(2, 8)}`;
  return el('label', {for: id}, el('span', {}, label), el('input', {id, name, ...props}));
}

/** The trimmed, non-empty values of a form, as query parameters. */
export function formValues(form) {
  const values = {};
  for (const [name, value] of new FormData(form).entries()) {
    const trimmed = String(value).trim();
    if (trimmed !== '') {
      values[name] = trimmed;
    }
  }
  return values;
}

export function query(values) {
  const parameters = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') {
      parameters.set(name, String(value));
    }
  }
  const text = parameters.toString();
  return text ? `?${text}` : '';
}
