/* Building the offline screen's elements without HTML strings: product names are never markup */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value)
    else if (name === 'text') el.textContent = value
    else if (name === 'class') el.className = value
    else if (name in el && !name.includes('-') && name !== 'list') el[name] = value
    else el.setAttribute(name, value === true ? '' : value)
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return el
}

export function button(label, onclick, attrs = {}) {
  return h('button', { type: 'button', class: 'btn btn-small', onclick, ...attrs }, label)
}
