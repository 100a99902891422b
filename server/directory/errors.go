package directory

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"

	"github.com/go-ldap/ldap/v3"
)

// The sentinel errors of Authenticate and People (errors.Is). A sign-in
// page should say the same to ErrBadPassword and ErrNoSuchPerson, so that
// nobody learns which names exist.
var (
	ErrBadPassword  = errors.New("The password is wrong.")                                //lint:ignore ST1005 shown to people as it is
	ErrNoSuchPerson = errors.New("There is nobody by that name in the office directory.") //lint:ignore ST1005 shown to people as it is
	ErrDisabled     = errors.New("This account is disabled in the office directory.")     //lint:ignore ST1005 shown to people as it is
	// ErrUnreachable: the directory could not be asked. The error that
	// wraps it says why (the address, the certificate, the service account,
	// the settings, a timeout); Test names the step.
	ErrUnreachable = errors.New("The office directory is not answering.") //lint:ignore ST1005 shown to people as it is
)

// stepError is a failure at one step of talking to the directory, with the
// sentence Test shows and the cause underneath.
type stepError struct {
	step    string
	problem string
	cause   error
}

func (e *stepError) Error() string { return e.problem }
func (e *stepError) Unwrap() error { return e.cause }

func failAt(step string, cause error, format string, args ...any) *stepError {
	return &stepError{step: step, problem: fmt.Sprintf(format, args...), cause: cause}
}

// unreachable is ErrUnreachable with its cause: it is ErrUnreachable for
// errors.Is, and unwraps to the cause (a context's error included).
type unreachable struct{ cause error }

func (e *unreachable) Error() string {
	return ErrUnreachable.Error() + " " + e.cause.Error()
}
func (e *unreachable) Is(target error) bool { return target == ErrUnreachable }
func (e *unreachable) Unwrap() error        { return e.cause }

// wrapped keeps a sentinel for errors.Is and says more in its text.
type wrapped struct {
	sentinel error
	text     string
}

func (e *wrapped) Error() string        { return e.text }
func (e *wrapped) Is(target error) bool { return target == e.sentinel }

// serverCode reports the LDAP result code when err is the directory's own
// answer; go-ldap's client-side codes (network, timeouts, decoding) start
// at 200 and are not answers.
func serverCode(err error) (code uint16, diag string, ok bool) {
	var le *ldap.Error
	if !errors.As(err, &le) || le.ResultCode >= ldap.ErrorNetwork {
		return 0, "", false
	}
	if le.Err != nil {
		diag = le.Err.Error()
	}
	return le.ResultCode, diag, true
}

// notAnswering describes a failure of the connection itself at a step: the
// context ending, a timeout, a connection lost or refused.
func (s *session) notAnswering(ctx context.Context, err error, doing string) *stepError {
	if ctx.Err() != nil {
		return failAt(stepAddress, errors.Join(ctx.Err(), err), "Inhouse stopped waiting while %s (%v).", doing, ctx.Err())
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || strings.Contains(err.Error(), "timed out") || strings.Contains(err.Error(), "i/o timeout") {
		return failAt(stepAddress, err, "The directory at %s did not answer within %v while %s.", s.addr, s.timeout, doing)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		// What a TLS port does with plain LDAP, and a plain port with TLS.
		return failAt(stepAddress, err, "The directory at %s closed the connection while %s: check that the port matches the kind of address (389 for ldap://, 636 for ldaps://).", s.addr, doing)
	}
	return failAt(stepAddress, err, "The connection to the directory at %s failed while %s: %v.", s.addr, doing, err)
}

// dialProblem says why the connection could not be made.
func dialProblem(addr string, err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Sprintf("There is no server called %s: check the address.", dnsErr.Name)
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("The name %s could not be looked up (%v): check the address and this machine's DNS.", dnsErr.Name, dnsErr.Err)
	case isTimeout(err):
		return fmt.Sprintf("Cannot connect to %s: no answer. Check the address and port, and that a firewall lets Inhouse through.", addr)
	case strings.Contains(err.Error(), "connection refused"):
		return fmt.Sprintf("Cannot connect to %s: nothing is listening there. Check the address and port (389 for ldap://, 636 for ldaps://).", addr)
	}
	return fmt.Sprintf("Cannot connect to %s: %v.", addr, err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// certProblem says why the TLS handshake failed, in the manager's words.
func certProblem(err error, host string, caGiven bool) string {
	var (
		hostErr    x509.HostnameError
		authErr    x509.UnknownAuthorityError
		invalidErr x509.CertificateInvalidError
		recordErr  tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &hostErr) && hostErr.Certificate != nil:
		names := slices.Clone(hostErr.Certificate.DNSNames)
		for _, ip := range hostErr.Certificate.IPAddresses {
			names = append(names, ip.String())
		}
		if len(names) == 0 {
			names = append(names, "no name")
		}
		return fmt.Sprintf("The directory's certificate is for %s, not for %s: put a name the certificate carries in the address.", strings.Join(names, ", "), host)
	case errors.As(err, &authErr) && caGiven:
		return "The directory's certificate is not trusted: it is not signed by the certificate given. Paste the office CA, or the directory's own certificate."
	case errors.As(err, &authErr):
		return "The directory's certificate is not trusted: no authority this machine trusts signed it. Paste the office CA, or the directory's own certificate."
	case errors.As(err, &invalidErr) && invalidErr.Reason == x509.Expired:
		return fmt.Sprintf("The directory's certificate is not valid now (%v): renew it.", invalidErr)
	case errors.As(err, &invalidErr):
		return fmt.Sprintf("The directory's certificate is refused: %v.", invalidErr)
	case errors.As(err, &recordErr):
		return "The directory did not answer in TLS at this address: ldaps:// usually listens on port 636, ldap:// with StartTLS on port 389."
	}
	return fmt.Sprintf("The TLS handshake with the directory failed: %v.", err)
}
