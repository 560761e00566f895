// proxy: the front door that tells each client which gateway to open its
// websocket on.
//
// Fixed: members are named with the port, the same way push names them, so
// both rings place every user on the same gateway. (A shared helper package
// imported by both modules would keep them from drifting apart again.)
//
// Run: golint-im check examples/hash-ring-fixed   (expect no findings)
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
	gatewayPort    = 10140
)

type balancer struct {
	ring *consistent.Consistent
}

func (b *balancer) refresh(pods []string) {
	members := make([]string, 0, len(pods))
	for _, pod := range pods {
		members = append(members, fmt.Sprintf("%s.%s.%s.svc.cluster.local:%d", pod, gatewayService, namespace, gatewayPort))
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
