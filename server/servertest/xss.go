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
