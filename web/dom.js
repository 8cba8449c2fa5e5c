// Building DOM from data without innerHTML: text always goes in as text, so nothing a provider or
// a user typed can become markup.

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'hidden') node.hidden = true;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

export function replace(container, ...children) {
  container.replaceChildren(...children.flat().filter(Boolean));
}

export function loading(container, what) {
  replace(container, el('p', { class: 'loading', role: 'status', text: `Loading ${what}…` }));
}

export function empty(text) {
  return el('p', { class: 'empty', text });
}

export function problem(error) {
  return el('p', { class: 'notice bad', role: 'alert', text: error.message });
}
