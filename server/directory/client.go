package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// Person is one person as the directory describes them.
type Person struct {
	DN, UserName, Display, Mail, Title, Phone string
	Disabled                                  bool
	Groups                                    []string // DNs of the groups the person is in, as the directory writes them
}

// Report is what Test found: OK, or the step that failed (one of
// "settings", "address", "certificate", "service account", "base DN",
// "filter", "people") and the problem in plain words; and on success how
// many people People would give, and how many distinct groups they are
// in (the groups the console can map to roles and channels).
type Report struct {
	OK            bool
	Step, Problem string
	People        int
	Groups        int
}

// accountDisable is userAccountControl's ACCOUNTDISABLE bit in AD.
const accountDisable = 0x2

// maxUserName bounds what a sign-in may put into a filter, maxPassword
// what it may send to the directory (AD's passwords stop at 256
// characters).
const (
	maxUserName = 256
	maxPassword = 1024
)

// Authenticate signs a person in by binding as them. The person is found
// with the service account by their user name, which goes into the filter
// escaped (a name like *)(uid=* finds nobody); a name that matches more
// than one entry is refused. Then a fresh connection binds as the
// person's DN with the password, and is closed: the password is not kept,
// and the service connection never carries it.
//
// An empty password is refused before any network step (many directories
// take a name with an empty password as an anonymous bind, which
// succeeds). ErrDisabled comes with the Person, and only once the password
// was right, so it tells nothing to someone guessing.
func (c *Client) Authenticate(ctx context.Context, username, password string) (Person, error) {
	if password == "" || len(password) > maxPassword {
		return Person{}, ErrBadPassword
	}
	if strings.TrimSpace(username) == "" || len(username) > maxUserName {
		return Person{}, ErrNoSuchPerson
	}
	if err := c.usable(); err != nil {
		return Person{}, err
	}
	release, err := c.acquire(ctx)
	if err != nil {
		return Person{}, &unreachable{err}
	}
	defer release()

	p, err := c.findPerson(ctx, username)
	if err != nil {
		return Person{}, c.opError(err)
	}

	s, err := c.connect(ctx)
	if err != nil {
		return Person{}, c.opError(err)
	}
	err = s.bind(p.DN, password)
	s.close()
	if err != nil {
		return Person{}, c.userBindError(ctx, s, err)
	}
	if p.Disabled {
		return p, ErrDisabled
	}
	return p, nil
}

// findPerson reads the one person called username with the service
// account: their attributes, whether they are disabled and their groups.
func (c *Client) findPerson(ctx context.Context, username string) (Person, error) {
	s, err := c.serviceSession(ctx)
	if err != nil {
		return Person{}, err
	}
	defer s.close()

	filter := "(&" + c.cfg.Filter + "(" + c.cfg.Attr.UserName + "=" + ldap.EscapeFilter(username) + "))"
	res, err := s.searchFew(ldap.ScopeWholeSubtree, c.cfg.BaseDN, filter, c.personAttributes(), 2)
	switch {
	case ldap.IsErrorWithCode(err, ldap.LDAPResultSizeLimitExceeded) && res != nil && len(res.Entries) > 1,
		err == nil && len(res.Entries) > 1:
		// Binding as one of them would be a guess.
		return Person{}, &wrapped{ErrNoSuchPerson, fmt.Sprintf("More than one entry of the office directory has the user name %q: nobody is signed in with it.", username)}
	case err != nil:
		return Person{}, c.searchError(ctx, s, err, "looking for the person")
	case len(res.Entries) == 0:
		return Person{}, ErrNoSuchPerson
	}
	p := c.entryPerson(res.Entries[0])
	if p.DN == "" || p.UserName == "" {
		// An empty DN would make the person's bind an anonymous one; a
		// person without a readable user name is left out of People too.
		return Person{}, ErrNoSuchPerson
	}

	if c.cfg.DisabledFilter != "" && !p.Disabled {
		// Asked of the directory so the office's filter means what the
		// directory's matching rules say it means.
		r, err := s.searchFew(ldap.ScopeBaseObject, p.DN, c.cfg.DisabledFilter, []string{"1.1"}, 1)
		if err != nil {
			return Person{}, c.searchError(ctx, s, err, "checking whether the person is disabled")
		}
		p.Disabled = len(r.Entries) > 0
	}

	if c.cfg.Dialect == OpenLDAP {
		dn := ldap.EscapeFilter(p.DN)
		filter := "(&" + staticGroups + "(|(member=" + dn + ")(uniqueMember=" + dn + ")))"
		groups, err := s.searchAll(ctx, c.cfg.BaseDN, filter, []string{"1.1"})
		if err != nil {
			return Person{}, c.searchError(ctx, s, err, "reading the person's groups")
		}
		var dns []string
		for _, g := range groups {
			dns = append(dns, g.DN)
		}
		p.Groups = sortedOrNil(dns)
	}
	return p, nil
}

// userBindError turns the person's failed bind into the answer for them.
func (c *Client) userBindError(ctx context.Context, s *session, err error) error {
	code, diag, ok := serverCode(err)
	if !ok {
		return c.opError(s.notAnswering(ctx, err, "checking the password"))
	}
	switch code {
	case ldap.LDAPResultInvalidCredentials:
		// AD tells why a right password is refused in the diagnostic
		// ("data 533": disabled, "701": expired, "775": locked out, "532"
		// and "773": the password must be changed); these come only with
		// the right password, so saying so leaks nothing.
		for _, d := range []struct {
			code, text string
			is         error
		}{
			{"data 533", "This account is disabled in the office directory.", ErrDisabled},
			{"data 701", "This account has expired in the office directory.", ErrDisabled},
			{"data 775", "This account is locked in the office directory: wait, or ask the manager to unlock it.", ErrDisabled},
			{"data 532", "The directory password has expired: change it on an office computer, then sign in.", ErrBadPassword},
			{"data 773", "The directory password must be changed: change it on an office computer, then sign in.", ErrBadPassword},
		} {
			if strings.Contains(diag, d.code) {
				return &wrapped{d.is, d.text}
			}
		}
		return ErrBadPassword
	case ldap.LDAPResultBusy, ldap.LDAPResultUnavailable:
		return &unreachable{failAt(stepAddress, err, "The directory is busy or unavailable (%s%s).", ldap.LDAPResultCodeMap[code], colon(diag))}
	}
	return &unreachable{failAt(stepAddress, err, "The directory refused the sign-in: %s%s.", ldap.LDAPResultCodeMap[code], colon(diag))}
}

// People reads everyone the filter finds under the base DN, with Disabled
// and Groups filled, in pages (AD answers at most 1000 entries without
// them). It fails whole or not at all: a partial list would look like
// people gone. Entries without a user name are left out, and so are all
// entries sharing one user name (Authenticate refuses those too).
func (c *Client) People(ctx context.Context) ([]Person, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	release, err := c.acquire(ctx)
	if err != nil {
		return nil, &unreachable{err}
	}
	defer release()
	s, err := c.serviceSession(ctx)
	if err != nil {
		return nil, c.opError(err)
	}
	defer s.close()
	people, err := c.readPeople(ctx, s)
	if err != nil {
		return nil, c.opError(err)
	}
	return people, nil
}

// readPeople does the searches of People.
func (c *Client) readPeople(ctx context.Context, s *session) ([]Person, error) {
	entries, err := s.searchAll(ctx, c.cfg.BaseDN, c.cfg.Filter, c.personAttributes())
	if err != nil {
		return nil, c.searchError(ctx, s, err, "reading people")
	}

	disabled := map[string]bool{}
	if c.cfg.DisabledFilter != "" {
		off, err := s.searchAll(ctx, c.cfg.BaseDN, "(&"+c.cfg.Filter+c.cfg.DisabledFilter+")", []string{"1.1"})
		if err != nil {
			return nil, c.searchError(ctx, s, err, "reading who is disabled")
		}
		for _, e := range off {
			disabled[normDN(e.DN)] = true
		}
	}

	// OpenLDAP keeps membership on the groups: one search reads them all,
	// and each member's DN, normalised, points to its groups. (AD keeps it
	// on the person too, in memberOf, read with the person.)
	groupsOf := map[string][]string{}
	if c.cfg.Dialect == OpenLDAP {
		gs, err := s.searchAll(ctx, c.cfg.BaseDN, staticGroups, []string{"member", "uniqueMember"})
		if err != nil {
			return nil, c.searchError(ctx, s, err, "reading groups")
		}
		for _, g := range gs {
			seen := map[string]bool{}
			for _, m := range append(g.GetEqualFoldAttributeValues("member"), g.GetEqualFoldAttributeValues("uniqueMember")...) {
				key := normDN(withoutUID(m))
				if !seen[key] {
					seen[key] = true
					groupsOf[key] = append(groupsOf[key], g.DN)
				}
			}
		}
	}

	people := make([]Person, 0, len(entries))
	names := map[string]int{}
	for _, e := range entries {
		p := c.entryPerson(e)
		if p.UserName == "" {
			continue
		}
		key := normDN(p.DN)
		p.Disabled = p.Disabled || disabled[key]
		if c.cfg.Dialect == OpenLDAP {
			p.Groups = sortedOrNil(groupsOf[key])
		}
		names[strings.ToLower(p.UserName)]++
		people = append(people, p)
	}
	people = slices.DeleteFunc(people, func(p Person) bool { return names[strings.ToLower(p.UserName)] > 1 })
	return people, nil
}

// sortedOrNil copies a list of DNs in order, and makes an empty one nil
// whatever the directory sent, so that people compare alike.
func sortedOrNil(dns []string) []string {
	if len(dns) == 0 {
		return nil
	}
	out := slices.Clone(dns)
	slices.Sort(out)
	return out
}

// staticGroups finds OpenLDAP's two kinds of static group.
const staticGroups = "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))"

// personAttributes lists what is read of each person.
func (c *Client) personAttributes() []string {
	a := c.cfg.Attr
	var attrs []string
	for _, n := range []string{a.UserName, a.Display, a.Mail, a.Title, a.Phone} {
		if n != "" && !slices.Contains(attrs, n) {
			attrs = append(attrs, n)
		}
	}
	if c.cfg.Dialect == AD {
		attrs = append(attrs, "userAccountControl", "memberOf")
	}
	return attrs
}

// entryPerson reads one entry; attribute names compare without case, as
// the directory may spell them its own way.
func (c *Client) entryPerson(e *ldap.Entry) Person {
	a := c.cfg.Attr
	get := func(name string) string {
		if name == "" {
			return ""
		}
		return e.GetEqualFoldAttributeValue(name)
	}
	p := Person{
		DN: e.DN, UserName: get(a.UserName), Display: get(a.Display),
		Mail: get(a.Mail), Title: get(a.Title), Phone: get(a.Phone),
	}
	if c.cfg.Dialect == AD {
		if v := e.GetEqualFoldAttributeValue("userAccountControl"); v != "" {
			flags, err := strconv.ParseInt(v, 10, 64)
			// A value that cannot be read counts as disabled: signing in
			// someone the directory may have switched off is the worse
			// mistake.
			p.Disabled = err != nil || flags&accountDisable != 0
		}
		p.Groups = sortedOrNil(e.GetEqualFoldAttributeValues("memberOf"))
	}
	return p
}

// normDN is the form in which DNs are compared: parsed (so spaces and
// escapes do not matter, and a multi-valued RDN's parts are sorted) and
// lower-cased, as the attributes naming people and groups (cn, uid, ou,
// dc) match without case in AD and in OpenLDAP. A DN that does not parse is
// compared lower-cased as written. Attribute types are compared by name:
// CN and commonName, or an OID, are not taken as the same.
func normDN(dn string) string {
	if d, err := ldap.ParseDN(dn); err == nil {
		return strings.ToLower(d.String())
	}
	return strings.ToLower(strings.TrimSpace(dn))
}

// withoutUID drops the optional unique identifier of a uniqueMember value
// ("cn=ana,dc=office#'0101'B"): the group names the person by the DN.
func withoutUID(v string) string {
	if i := strings.LastIndex(v, "#'"); i > 0 && strings.HasSuffix(v, "'B") {
		return v[:i]
	}
	return v
}

// serviceSession connects and binds as the service account.
func (c *Client) serviceSession(ctx context.Context) (*session, error) {
	s, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.bind(c.cfg.BindDN, c.cfg.BindPassword); err != nil {
		s.close()
		code, diag, ok := serverCode(err)
		switch {
		case !ok:
			return nil, s.notAnswering(ctx, err, "signing in the service account")
		case code == ldap.LDAPResultInvalidCredentials:
			return nil, failAt(stepService, err, "The directory refused the service account %s: its DN or password is wrong%s.", c.cfg.BindDN, colon(diag))
		default:
			return nil, failAt(stepService, err, "The directory refused the service account %s: %s%s.", c.cfg.BindDN, ldap.LDAPResultCodeMap[code], colon(diag))
		}
	}
	return s, nil
}

// searchError says which setting a failed search points at.
func (c *Client) searchError(ctx context.Context, s *session, err error, doing string) error {
	code, diag, ok := serverCode(err)
	if !ok {
		var le *ldap.Error
		if errors.As(err, &le) && le.ResultCode == ldap.ErrorFilterCompile {
			return failAt(stepFilter, err, "A filter is not an LDAP filter: %v.", le.Err)
		}
		if errors.Is(err, errTooMany) {
			return failAt(stepFilter, err, "The filter finds %s under %s: narrow it or the base DN.", err, c.cfg.BaseDN)
		}
		return s.notAnswering(ctx, err, doing)
	}
	switch code {
	case ldap.LDAPResultNoSuchObject, ldap.LDAPResultInvalidDNSyntax, ldap.LDAPResultReferral:
		return failAt(stepBase, err, "There is no %s in the directory%s.", c.cfg.BaseDN, colon(diag))
	case ldap.LDAPResultInsufficientAccessRights:
		return failAt(stepService, err, "The service account may not read %s%s.", c.cfg.BaseDN, colon(diag))
	case ldap.LDAPResultSizeLimitExceeded, ldap.LDAPResultAdminLimitExceeded:
		return failAt(stepFilter, err, "The directory would not send all the entries the filter finds (%s%s): the service account needs a higher size limit.", ldap.LDAPResultCodeMap[code], colon(diag))
	case ldap.LDAPResultProtocolError, ldap.LDAPResultInappropriateMatching, ldap.LDAPResultUndefinedAttributeType:
		return failAt(stepFilter, err, "The directory refused a filter (%s%s).", ldap.LDAPResultCodeMap[code], colon(diag))
	case ldap.LDAPResultBusy, ldap.LDAPResultUnavailable, ldap.LDAPResultTimeLimitExceeded:
		return failAt(stepAddress, err, "The directory is busy or unavailable while %s (%s%s).", doing, ldap.LDAPResultCodeMap[code], colon(diag))
	}
	return failAt(stepAddress, err, "The directory refused a search while %s: %s%s.", doing, ldap.LDAPResultCodeMap[code], colon(diag))
}

// usable refuses to talk to a directory with settings Validate refuses.
func (c *Client) usable() error {
	if len(c.bad) == 0 {
		return nil
	}
	texts := make([]string, len(c.bad))
	for i, p := range c.bad {
		texts[i] = p.text
	}
	return &unreachable{failAt(c.bad[0].step, errors.New("settings"), "Its settings are incomplete: %s", strings.Join(texts, " "))}
}

// opError is how a failure reaches Authenticate's and People's callers:
// the sentinels as they are, anything else as ErrUnreachable with its
// cause.
func (c *Client) opError(err error) error {
	if errors.Is(err, ErrNoSuchPerson) || errors.Is(err, ErrBadPassword) || errors.Is(err, ErrDisabled) || errors.Is(err, ErrUnreachable) {
		return err
	}
	return &unreachable{err}
}

// Test walks the configuration's steps against the directory and reports
// the first that fails, in plain words: the settings, the address (cannot
// connect, not answering), the certificate (not trusted, for another name,
// StartTLS refused), the service account (bind refused), the base DN (no
// such entry), the filter (refused), and people (the filter finds nobody).
// On success it counts people and groups.
func (c *Client) Test(ctx context.Context) Report {
	fail := func(err error) Report {
		var se *stepError
		if errors.As(err, &se) {
			return Report{Step: se.step, Problem: se.problem}
		}
		return Report{Step: stepAddress, Problem: err.Error()}
	}
	if len(c.bad) > 0 {
		texts := make([]string, len(c.bad))
		for i, p := range c.bad {
			texts[i] = p.text
		}
		return Report{Step: c.bad[0].step, Problem: strings.Join(texts, " ")}
	}
	release, err := c.acquire(ctx)
	if err != nil {
		return fail(err)
	}
	defer release()
	s, err := c.serviceSession(ctx)
	if err != nil {
		return fail(err)
	}
	defer s.close()

	// The base DN on its own first, so a wrong one is not blamed on the
	// filter.
	if _, err := s.searchFew(ldap.ScopeBaseObject, c.cfg.BaseDN, "(objectClass=*)", []string{"1.1"}, 1); err != nil {
		return fail(c.searchError(ctx, s, err, "looking at the base DN"))
	}
	people, err := c.readPeople(ctx, s)
	if err != nil {
		return fail(err)
	}
	if len(people) == 0 {
		return Report{Step: stepPeople, Problem: fmt.Sprintf("The filter %s finds nobody with a %s under %s: check the filter, the base DN and the attribute for the user name.",
			c.cfg.Filter, c.cfg.Attr.UserName, c.cfg.BaseDN)}
	}
	groups := map[string]bool{}
	for _, p := range people {
		for _, g := range p.Groups {
			groups[normDN(g)] = true
		}
	}
	return Report{OK: true, People: len(people), Groups: len(groups)}
}
