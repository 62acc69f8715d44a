// Reading and setting Adobe's Spectrum UXP widgets by their documented attributes only: an
// sp-picker's choice is the sp-menu-item carrying `selected` (sp-menu-item, sp-dropdown pages of
// the UXP Spectrum widgets reference), never a `.value` set by script, which UXP's own <select>
// does not honour reliably; a disabled sp-button carries `disabled`.
"use strict";

/**
 * The `value` of the picker's selected menu item ("" when none is selected).
 * @param {Element} picker  an sp-picker holding an sp-menu of sp-menu-item
 * @returns {string}
 */
function pickerValue(picker) {
  const item = picker.querySelector("sp-menu-item[selected]");
  return item ? item.getAttribute("value") || "" : "";
}

/**
 * Selects the menu item whose value is `value` (the first one when none has it); returns the value
 * selected.
 * @param {Element} picker
 * @param {string} value
 * @returns {string}
 */
function choose(picker, value) {
  const items = [...picker.querySelectorAll("sp-menu-item")];
  const chosen = items.find((item) => item.getAttribute("value") === value) || items[0];
  items.forEach((item) => item.toggleAttribute("selected", item === chosen));
  return chosen ? chosen.getAttribute("value") || "" : "";
}

/**
 * Replaces the picker's options. Labels go in as text, never as markup (they may come from a server).
 * @param {Element} picker
 * @param {{value: string, label: string}[]} options
 */
function fillPicker(picker, options) {
  const menu = /** @type {Element} */ (picker.querySelector("sp-menu"));
  menu.replaceChildren(...options.map(({ value, label }) => {
    const item = picker.ownerDocument.createElement("sp-menu-item");
    item.setAttribute("value", value);
    item.textContent = label;
    return item;
  }));
}

/**
 * @param {Element} widget  an sp-button (or any widget with a `disabled` attribute)
 * @param {boolean} enabled
 */
function enable(widget, enabled) {
  widget.toggleAttribute("disabled", !enabled);
}

module.exports = { pickerValue, choose, fillPicker, enable };
