// Package e2e drives the web client in a real browser (Debian's Chromium,
// headless, through chromedp) against a real in-process server: sign-in,
// the policy gate, two people talking, offline sending and the first
// load's size. The tests live in *_test.go; this file only names the
// package.
package e2e
