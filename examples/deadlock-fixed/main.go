// The same gateway, fixed: logins and logouts each get their own goroutine.
// A login that kicks an old connection still sends on logouts, but logouts
// is drained by a goroutine that never waits on logins, so there is no
// cycle. The online map is now shared by two goroutines, so it has a lock.
//
// Run: golint-im check examples/deadlock-fixed   (expect no findings)
package main

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
)

type connOwner interface {
	Logout(c *Conn)
}

type Conn struct {
	User   string
	Device int
	owner  connOwner
	once   sync.Once
}

func (c *Conn) Kick() {
	fmt.Printf("kick %s on device %d\n", c.User, c.Device)
	c.close()
}

func (c *Conn) close() {
	c.once.Do(func() { c.owner.Logout(c) })
}

type Gateway struct {
	logins  chan *Conn
	logouts chan *Conn

	mu     sync.Mutex
	online map[string]*Conn
}

func NewGateway() *Gateway {
	return &Gateway{
		logins:  make(chan *Conn, 1000),
		logouts: make(chan *Conn, 1000),
		online:  make(map[string]*Conn),
	}
}

func (g *Gateway) Logout(c *Conn) { g.logouts <- c }

// Run starts one goroutine per channel.
func (g *Gateway) Run() {
	go func() {
		for c := range g.logins {
			g.login(c)
		}
	}()
	go func() {
		for c := range g.logouts {
			g.logout(c)
		}
	}()
}

func key(c *Conn) string { return c.User + "/" + strconv.Itoa(c.Device) }

func (g *Gateway) login(c *Conn) {
	g.mu.Lock()
	old, ok := g.online[key(c)]
	g.online[key(c)] = c
	g.mu.Unlock()
	if ok {
		old.Kick() // sends on logouts, which the other goroutine drains
	}
}

func (g *Gateway) logout(c *Conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.online[key(c)] == c {
		delete(g.online, key(c))
	}
}

func main() {
	g := NewGateway()
	g.Run()
	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		device, _ := strconv.Atoi(r.URL.Query().Get("device"))
		g.logins <- &Conn{User: r.URL.Query().Get("user"), Device: device, owner: g}
		fmt.Fprintln(w, "welcome")
	})
	_ = http.ListenAndServe(":8080", nil)
}
