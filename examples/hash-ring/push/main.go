// push: the service that delivers messages to online users.
//
// To find the gateway holding a user's websocket, push hashes the user ID
// onto a ring of gateway pods. The proxy module (../proxy) decides which
// gateway a client connects to, with its own ring of the same pods. The two
// rings must contain byte-identical member names, or they disagree about
// which gateway owns a user. This side names members WITH the port.
//
// Run: golint-im check examples/hash-ring   (both modules together)
package main

import (
	"fmt"
	"log"

	"github.com/stathat/consistent"
)

const (
	gatewayService = "msg-gateway"
	namespace      = "im"
	gatewayPort    = 10140
)

type router struct {
	ring *consistent.Consistent
}

// refresh is called with the current gateway pods from the Kubernetes API.
func (r *router) refresh(pods []string) {
	members := make([]string, 0, len(pods))
	for _, pod := range pods {
		members = append(members, fmt.Sprintf("%s.%s.%s.svc.cluster.local:%d", pod, gatewayService, namespace, gatewayPort)) // golint-im reports GIM301 on this line
	}
	r.ring.Set(members)
}

// deliver sends a message to the gateway that should hold userID's socket.
func (r *router) deliver(userID, text string) error {
	gw, err := r.ring.Get(userID)
	if err != nil {
		return err
	}
	fmt.Printf("push %q for %s via %s\n", text, userID, gw)
	return nil
}

func main() {
	r := &router{ring: consistent.New()}
	r.refresh([]string{"msg-gateway-0", "msg-gateway-1", "msg-gateway-2", "msg-gateway-3", "msg-gateway-4"})
	for _, u := range []string{"alice", "bob", "carol"} {
		if err := r.deliver(u, "hi"); err != nil {
			log.Println(err)
		}
	}
}
