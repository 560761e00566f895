// push (fixed pair): unchanged from examples/hash-ring/push. It names ring
// members as "<pod>.<service>.<namespace>.svc.cluster.local:<port>", and the
// fixed proxy now does exactly the same.
//
// Run: golint-im check examples/hash-ring-fixed   (expect no findings)
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
		members = append(members, fmt.Sprintf("%s.%s.%s.svc.cluster.local:%d", pod, gatewayService, namespace, gatewayPort))
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
