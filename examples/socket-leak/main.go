// A push service that leaks one gRPC connection per gateway per message.
//
// The pusher asks a Discovery for a connection to every gateway pod each
// time it pushes. Discovery is an interface; its only implementation here,
// podDNS, dials a brand-new *grpc.ClientConn on every call and keeps no
// reference to it. The pusher puts the connections in a local map, uses
// them once, and returns: nobody ever calls Close. Under steady traffic the
// process accumulates sockets and goroutines until it runs out of one or
// the other.
//
// Run: golint-im check examples/socket-leak
package main

import (
	"context"
	"fmt"
	"log"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Discovery hands out connections to service instances.
type Discovery interface {
	ConnTo(ctx context.Context, pod string) (*grpc.ClientConn, error)
}

// podDNS resolves pods through cluster DNS -- and dials on every call.
type podDNS struct {
	namespace string
	port      int
}

func (d *podDNS) ConnTo(ctx context.Context, pod string) (*grpc.ClientConn, error) {
	target := fmt.Sprintf("%s.msg-gateway.%s.svc.cluster.local:%d", pod, d.namespace, d.port)
	return grpc.DialContext(ctx, target, grpc.WithTransportCredentials(insecure.NewCredentials()))
}

type Pusher struct {
	disc     Discovery
	gateways []string
}

// Push runs once per message.
func (p *Pusher) Push(ctx context.Context, userID, text string) {
	conns := map[string]*grpc.ClientConn{}
	for _, pod := range p.gateways {
		cc, err := p.disc.ConnTo(ctx, pod) // golint-im reports GIM201 on this line
		if err != nil {
			log.Printf("%s: %v", pod, err)
			continue
		}
		conns[pod] = cc // a local map: gone when Push returns, conns still open
	}
	for pod, cc := range conns {
		req := map[string]string{"user": userID, "text": text}
		var resp struct{}
		if err := cc.Invoke(ctx, "/gateway.Gateway/Deliver", req, &resp); err != nil {
			log.Printf("deliver via %s: %v", pod, err)
		}
	}
}

func main() {
	p := &Pusher{
		disc:     &podDNS{namespace: "im", port: 10140},
		gateways: []string{"msg-gateway-0", "msg-gateway-1", "msg-gateway-2"},
	}
	for i := 0; ; i++ {
		p.Push(context.Background(), "user-1", fmt.Sprint("message ", i))
		time.Sleep(10 * time.Millisecond)
	}
}
