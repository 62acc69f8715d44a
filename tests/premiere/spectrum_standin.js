// A small stand-in for the Spectrum UXP widgets the panel uses, for the headless-browser test only
// (Chromium has no sp-* elements; UXP supplies them in Premiere). Defined in the test page before
// the panel's scripts run; never shipped with the panel. Each element keeps to what the UXP
// Spectrum widgets reference documents and the panel relies on: sp-picker shows the sp-menu-item
// carrying `selected`; sp-textfield has `value`; sp-button ignores clicks while `disabled`;
// sp-progressbar draws `value` of `max`; text widgets show their text.
"use strict";

(() => {
  // Premiere's dark theme, which UXP gives the panel's page.
  document.addEventListener("DOMContentLoaded", () => { document.documentElement.style.background = "#232323"; });
  const css = (rules) => `<style>:host { font: 12px sans-serif; color: #ddd; } ${rules}</style>`;

  /** A widget drawn from its attributes (and light-DOM children) into a shadow root. */
  class StandIn extends HTMLElement {
    constructor() {
      super();
      this.attachShadow({ mode: "open" });
      new MutationObserver(() => this.render()).observe(this, { attributes: true, childList: true, subtree: true, characterData: true });
    }
    connectedCallback() { this.render(); }
    render() {}
  }

  const text = (display, rules) => class extends StandIn {
    render() { this.shadowRoot.innerHTML = `${css(`:host { display: ${display}; } ${rules}`)}<slot></slot>`; }
  };
  customElements.define("sp-heading", text("block", ":host { font-size: 14px; font-weight: bold; margin-bottom: 6px; }"));
  customElements.define("sp-body", text("block", ""));
  customElements.define("sp-detail", text("inline-block", ":host { font-size: 10px; text-transform: uppercase; color: #aaa; }"));
  customElements.define("sp-label", text("inline", ""));
  customElements.define("sp-menu", class extends HTMLElement {});
  customElements.define("sp-menu-item", class extends HTMLElement {});

  customElements.define("sp-button", class extends StandIn {
    constructor() {
      super();
      // Registered first, so a disabled button's click reaches none of the panel's listeners.
      this.addEventListener("click", (event) => { if (this.hasAttribute("disabled")) event.stopImmediatePropagation(); }, { capture: true });
    }
    get disabled() { return this.hasAttribute("disabled"); }
    set disabled(on) { this.toggleAttribute("disabled", Boolean(on)); }
    render() {
      const off = this.hasAttribute("disabled");
      this.shadowRoot.innerHTML = `${css(`:host { display: inline-block; } button { font: inherit; color: ${off ? "#777" : "#fff"};
        background: ${this.getAttribute("variant") === "cta" ? "#2d7ff9" : "#444"}; border: 0; border-radius: 12px; padding: 3px 12px; }`)}
        <button ${off ? "disabled" : ""}><slot></slot></button>`;
    }
  });

  customElements.define("sp-textfield", class extends StandIn {
    constructor() { super(); this.pending = ""; }
    get value() { const input = this.shadowRoot.querySelector("input"); return input ? input.value : this.pending; }
    set value(value) { this.pending = String(value); const input = this.shadowRoot.querySelector("input"); if (input) input.value = this.pending; }
    render() {
      if (this.shadowRoot.querySelector("input")) return;
      this.shadowRoot.innerHTML = `${css("label { display: block; color: #aaa; } input { width: 100%; box-sizing: border-box; background: #1b1b1b; color: #ddd; border: 1px solid #555; }")}
        <label><slot name="label"></slot></label><input placeholder="${this.getAttribute("placeholder") || ""}">`;
      this.shadowRoot.querySelector("input").value = this.pending;
    }
  });

  customElements.define("sp-picker", class extends StandIn {
    get selectedIndex() { return [...this.querySelectorAll("sp-menu-item")].findIndex((item) => item.hasAttribute("selected")); }
    render() {
      const chosen = this.querySelector("sp-menu-item[selected]");
      this.shadowRoot.innerHTML = `${css("span.label { color: #aaa; display: block; } span.box { display: block; border: 1px solid #555; padding: 2px 4px; }")}
        <span class="label"></span><span class="box"></span>`;
      this.shadowRoot.querySelector(".label").textContent = this.getAttribute("label") || "";
      this.shadowRoot.querySelector(".box").textContent = `${chosen ? chosen.textContent : ""} ▾`;
    }
  });

  customElements.define("sp-progressbar", class extends StandIn {
    render() {
      const max = Number(this.getAttribute("max") || 100);
      const value = Number(this.getAttribute("value") || 0);
      this.shadowRoot.innerHTML = `${css(`:host { display: block; } .track { height: 4px; background: #3a3a3a; }
        .fill { height: 100%; background: #2d7ff9; width: ${max ? Math.round((100 * value) / max) : 0}%; } ::slotted(*) { font-size: 10px; }`)}
        <slot name="label"></slot><div class="track"><div class="fill"></div></div>`;
    }
  });
})();
