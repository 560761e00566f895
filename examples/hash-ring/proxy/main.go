// proxy: the front door that tells each client which gateway to open its
// websocket on.
//
// It hashes the user ID onto its own ring of the same gateway pods as the
// push module (../push), but names the members WITHOUT the port. With one
// gateway both rings agree trivially; after scaling out, a user connects to
// one gateway while push delivers to another, and real-time messages are
// silently lost (the user only gets offline notifications).
//
// Run: golint-im check examples/hash-ring   (both modules together)
package main

import (
	"fmt"
	"log"
	"net/http"

	"github.com/stathat/consistent"
)

const (
	gatewayService = "msg-gateway"
	namespace      = "im"
)

type balancer struct {
	ring *consistent.Consistent
}

func (b *balancer) refresh(pods []string) {
	members := make([]string, 0, len(pods))
	for _, pod := range pods {
		members = append(members, fmt.Sprintf("%s.%s.%s.svc.cluster.local", pod, gatewayService, namespace))
	}
	b.ring.Set(members)
}

func (b *balancer) pick(w http.ResponseWriter, r *http.Request) {
	gw, err := b.ring.Get(r.URL.Query().Get("user"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, gw)
}

func main() {
	b := &balancer{ring: consistent.New()}
	b.refresh([]string{"msg-gateway-0", "msg-gateway-1", "msg-gateway-2", "msg-gateway-3", "msg-gateway-4"})
	http.HandleFunc("/gateway", b.pick)
	log.Fatal(http.ListenAndServe(":10150", nil))
}
