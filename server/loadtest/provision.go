package loadtest

import (
	"fmt"
	"sync"

	"inhouse/server/archive"
	"inhouse/server/auth"
)

// Plan is the office a scenario needs: people and the channels they are in.
type Plan struct {
	People   int
	Channels []ChannelPlan
	// MaxFileMB is the office's largest file in MB of 2^20 bytes
	// (archive.Settings.MaxFileMB); 0 leaves the default (100).
	MaxFileMB int
}

// ChannelPlan is one private channel; Members index the plan's people.
type ChannelPlan struct {
	Name    string
	Members []int
}

// Fixture is a provisioned office: names, session tokens and channel ids in
// the plan's order.
type Fixture struct {
	Names    []string
	Tokens   []string
	Channels []string
}

// personName is the account name of person i.
func personName(i int) string { return fmt.Sprintf("lt%06d", i) }

// Password is every load-test account's password (the hash is computed
// once; nobody signs in with it, the sessions are made directly).
const Password = "load test password, not for people"

// workers is how many writes are in flight while provisioning, so the
// archive's group commit shares one disk sync among many of them.
const workers = 256

// Provision writes plan into the data folder dir (which no server may hold):
// each person with a session and the usage policy accepted, and the
// channels. It returns what clients need to connect.
func Provision(dir string, plan Plan) (*Fixture, error) {
	st, err := archive.Open(dir)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if plan.MaxFileMB > 0 {
		set := st.Settings()
		set.MaxFileMB = plan.MaxFileMB
		if err := st.SaveSettings(set); err != nil {
			return nil, fmt.Errorf("provision the largest file: %w", err)
		}
	}
	hash := auth.HashPassword(Password)
	policy := st.Policy().Version
	fx := &Fixture{Names: make([]string, plan.People), Tokens: make([]string, plan.People)}
	for i := range fx.Names {
		fx.Names[i] = personName(i)
		fx.Tokens[i] = auth.Token()
	}
	err = parallel(plan.People, func(i int) error {
		name := fx.Names[i]
		if err := st.AddUser(archive.User{Name: name, Role: archive.RoleMember, Hash: hash}); err != nil {
			return err
		}
		if _, err := st.AddSession(fx.Tokens[i], name, auth.Token()); err != nil {
			return err
		}
		return st.AcceptPolicy(name, policy)
	})
	if err != nil {
		return nil, fmt.Errorf("provision people: %w", err)
	}
	fx.Channels = make([]string, len(plan.Channels))
	err = parallel(len(plan.Channels), func(i int) error {
		cp := plan.Channels[i]
		members := make([]string, len(cp.Members))
		for j, m := range cp.Members {
			members[j] = fx.Names[m]
		}
		c, err := st.CreateChannel(cp.Name, true, members[0], members)
		fx.Channels[i] = c.ID
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("provision channels: %w", err)
	}
	return fx, st.Close()
}

// parallel runs fn(0..n-1) on a few goroutines and returns the first error.
func parallel(n int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan int)
	)
	for range min(workers, max(n, 1)) {
		wg.Go(func() {
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return first
}

// groups splits people 0..n-1 into channels of at most size members.
func groups(prefix string, n, size int) []ChannelPlan {
	var out []ChannelPlan
	for start := 0; start < n; start += size {
		cp := ChannelPlan{Name: fmt.Sprintf("%s-%d", prefix, len(out))}
		for i := start; i < min(n, start+size); i++ {
			cp.Members = append(cp.Members, i)
		}
		out = append(out, cp)
	}
	return out
}
