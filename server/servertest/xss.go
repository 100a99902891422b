package servertest

// XSSCorpus is markup that would run script if a page put a stored text
// into HTML unescaped, into an attribute, a URL or a template. Every
// payload only sets window.__x or opens a dialog, so a browser test can
// tell. The console's and the web client's browser tests both use it.
var XSSCorpus = []string{
	`<script>window.__x=1</script>`,
	`<img src=x onerror="window.__x=1">`,
	`"><svg onload=window.__x=1>`,
	`javascript:window.__x=1`,
	`<a href="javascript:window.__x=1">link</a>`,
	`{{7*7}} ${7*7} <%= 7*7 %>`,
	`</textarea><script>window.__x=1</script>`,
	`</title><script>alert(1)</script>`,
	`<style>body{display:none}</style>`,
	`<iframe srcdoc="<script>parent.__x=1</script>">`,
	`'-alert(1)-'"-alert(1)-"`,
	"\u202eexe.gnp\u202c invoice", // right-to-left override
}

// XSSPageJS is a JavaScript expression that inspects a page as the browser
// built it: markup from a payload that was not escaped shows here as an
// element or attribute even when the CSP kept it from running. It gives
// x (the payloads' marker ran), bad (what should not be there: event
// handlers, javascript: and data: links, foreign or inline scripts,
// frames, style elements, base, refresh, images in the body), text
// (everything shown, form values included) and links (every href).
const XSSPageJS = `(() => {
	const bad = [];
	for (const el of document.querySelectorAll('*')) {
		for (const a of el.attributes) {
			if (/^on/i.test(a.name)) bad.push(el.tagName + ' ' + a.name);
			if (/^(href|src|action|formaction|xlink:href|srcdoc)$/i.test(a.name) && /^\s*(javascript|data):/i.test(a.value)) bad.push(el.tagName + ' ' + a.name + '=' + a.value);
		}
	}
	for (const s of document.scripts) {
		if (!s.src || new URL(s.src).origin !== location.origin) bad.push('script ' + (s.src || s.textContent.slice(0, 60)));
	}
	for (const el of document.querySelectorAll('iframe, object, embed, style, base, meta[http-equiv], body img')) bad.push(el.tagName);
	const values = [...document.querySelectorAll('input, textarea')].map(e => e.value);
	return {
		x: typeof window.__x !== 'undefined',
		bad,
		text: document.title + '\n' + document.body.textContent + '\n' + values.join('\n'),
		links: [...document.querySelectorAll('a[href]')].map(a => a.href),
	};
})()`
