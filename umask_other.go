//go:build !unix

package main

// privateFiles: Windows gives files the folder's ACL; the installer makes
// the data folder private.
func privateFiles() {}
