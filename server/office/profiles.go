package office

import "io"

// Profile is what a person's card says besides the name.
type Profile struct {
	Title, Phone string
}

// EditProfile changes a person's title and phone: their own (unless the
// office lets only managers), or anyone's for a manager.
func (o *Office) EditProfile(a Actor, name string, p Profile) error { return errNotYet }

// SetPicture stores a person's picture from an uploaded image and returns
// its version.
func (o *Office) SetPicture(a Actor, name string, img io.Reader) (string, error) {
	return "", errNotYet
}

// RemovePicture goes back to initials.
func (o *Office) RemovePicture(a Actor, name string) error { return errNotYet }

// Picture is a person's stored picture (JPEG) and its version.
func (o *Office) Picture(name string) ([]byte, string, error) { return nil, "", errNotYet }
