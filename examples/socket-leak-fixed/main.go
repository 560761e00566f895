// The same push service, fixed: the Discovery implementation keeps one
// connection per pod and hands the same one to every caller, so Push may
// use it without closing it. The connections are closed once, at shutdown.
//
// Run: golint-im check examples/socket-leak-fixed   (expect no findings)
package main

import (
	"context"
	"fmt"
	"log"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

type Discovery interface {
	ConnTo(ctx context.Context, pod string) (*grpc.ClientConn, error)
	Close()
}

// podDNS caches one connection per pod.
type podDNS struct {
	namespace string
	port      int

	mu    sync.Mutex
	conns map[string]*grpc.ClientConn
}

func (d *podDNS) ConnTo(ctx context.Context, pod string) (*grpc.ClientConn, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if cc, ok := d.conns[pod]; ok {
		return cc, nil
	}
	target := fmt.Sprintf("%s.msg-gateway.%s.svc.cluster.local:%d", pod, d.namespace, d.port)
	cc, err := grpc.DialContext(ctx, target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	d.conns[pod] = cc
	return cc, nil
}

func (d *podDNS) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for pod, cc := range d.conns {
		cc.Close()
		delete(d.conns, pod)
	}
}

type Pusher struct {
	disc     Discovery
	gateways []string
}

func (p *Pusher) Push(ctx context.Context, userID, text string) {
	for _, pod := range p.gateways {
		cc, err := p.disc.ConnTo(ctx, pod) // shared connection: not ours to close
		if err != nil {
			log.Printf("%s: %v", pod, err)
			continue
		}
		req := map[string]string{"user": userID, "text": text}
		var resp struct{}
		if err := cc.Invoke(ctx, "/gateway.Gateway/Deliver", req, &resp); err != nil {
			log.Printf("deliver via %s: %v", pod, err)
		}
	}
}

func main() {
	disc := &podDNS{namespace: "im", port: 10140, conns: map[string]*grpc.ClientConn{}}
	defer disc.Close()
	p := &Pusher{disc: disc, gateways: []string{"msg-gateway-0", "msg-gateway-1", "msg-gateway-2"}}
	for i := 0; i < 1000; i++ {
		p.Push(context.Background(), "user-1", fmt.Sprint("message ", i))
		time.Sleep(10 * time.Millisecond)
	}
}
