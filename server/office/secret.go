package office

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
)

// Secrets the office must use but never show: the directory's service
// account password. It is sealed (AES-256-GCM) with a key in its own file
// beside the database, which backups leave out, so neither the database,
// a backup nor a log ever holds it in clear. A backup restored elsewhere
// asks for the password again.

const secretKeyFile = "directory.key"

// errNoSecretKey: the sealed password cannot be opened here (restored from
// a backup on another machine, or the key file removed).
var errNoSecretKey = errors.New("the stored password cannot be read on this machine (restored from a backup?): enter the service account's password again")

func (o *Office) secretKey(create bool) ([]byte, error) {
	path := filepath.Join(o.store.Dir(), secretKeyFile)
	key, err := os.ReadFile(path)
	if err == nil && len(key) == 32 {
		return key, nil
	}
	if !create {
		return nil, errNoSecretKey
	}
	key = make([]byte, 32)
	rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

// seal encrypts a secret for the database.
func (o *Office) seal(plain string) (string, error) {
	key, err := o.secretKey(true)
	if err != nil {
		return "", err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return base64.StdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(plain), nil)), nil
}

// unseal opens a secret seal made.
func (o *Office) unseal(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	key, err := o.secretKey(false)
	if err != nil {
		return "", err
	}
	aead, err := newAEAD(key)
	if err != nil {
		return "", err
	}
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < aead.NonceSize() {
		return "", errNoSecretKey
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], nil)
	if err != nil {
		return "", errNoSecretKey
	}
	return string(plain), nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
