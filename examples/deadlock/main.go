// A chat gateway that hangs under login/logout churn.
//
// One goroutine (Gateway.Run) serves both the logins and the logouts
// channel. A login for a user who is already online on the same device kicks
// the old connection, and kicking ends in Gateway.Logout, which sends on
// logouts -- a channel that only Run itself drains. While logouts has room
// this works; once it is full, Run blocks on its own channel, logins stop
// being served, and every new connection hangs. The path goes through an
// interface (connOwner), which is why it is hard to see in review.
//
// Run: golint-im check examples/deadlock
package main

import (
	"fmt"
	"net/http"
	"strconv"
)

// connOwner is what a Conn reports to when it closes. *Gateway implements it.
type connOwner interface {
	Logout(c *Conn)
}

type Conn struct {
	User   string
	Device int
	owner  connOwner
	closed bool
}

// Kick tells the old device it was replaced, then closes it.
func (c *Conn) Kick() {
	fmt.Printf("kick %s on device %d\n", c.User, c.Device)
	c.close()
}

func (c *Conn) close() {
	if c.closed {
		return
	}
	c.closed = true
	c.owner.Logout(c) // blocks when logouts is full
}

type Gateway struct {
	logins  chan *Conn
	logouts chan *Conn
	online  map[string]*Conn // user/device -> connection
}

func NewGateway() *Gateway {
	return &Gateway{
		logins:  make(chan *Conn, 1000),
		logouts: make(chan *Conn, 1000),
		online:  make(map[string]*Conn),
	}
}

// Logout implements connOwner.
func (g *Gateway) Logout(c *Conn) { g.logouts <- c }

// Run is the only receiver of both channels.
func (g *Gateway) Run() {
	for {
		select {
		case c := <-g.logins: // golint-im reports GIM101 on this line
			g.login(c)
		case c := <-g.logouts:
			g.logout(c)
		}
	}
}

func (g *Gateway) login(c *Conn) {
	key := c.User + "/" + strconv.Itoa(c.Device)
	if old, ok := g.online[key]; ok {
		old.Kick() // -> Conn.close -> connOwner.Logout -> g.logouts <- c
	}
	g.online[key] = c
}

func (g *Gateway) logout(c *Conn) {
	key := c.User + "/" + strconv.Itoa(c.Device)
	if g.online[key] == c {
		delete(g.online, key)
	}
}

func main() {
	g := NewGateway()
	go g.Run()
	http.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		device, _ := strconv.Atoi(r.URL.Query().Get("device"))
		g.logins <- &Conn{User: r.URL.Query().Get("user"), Device: device, owner: g}
		fmt.Fprintln(w, "welcome")
	})
	_ = http.ListenAndServe(":8080", nil)
}
