// The go-gorilla reference server: the echo of gorilla/websocket as its
// examples/echo shows it (ReadMessage, then WriteMessage of the same type),
// on Go's net/http server, one process using every core (GOMAXPROCS).
//
//	go-gorilla [--host ADDR] [--port P]     default 0.0.0.0:8000
//
// SIGTERM/SIGINT: stop accepting, close every connection with 1001, exit 0.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// The kit's message limit (contestants' --max-message default): a 16 MiB
// message is echoed, a larger one is closed with 1009.
const maxMessage = 16 << 20

// After the 1001 closes, how long the peers get to answer before we exit.
const closeGrace = time.Second

var upgrader = websocket.Upgrader{
	// Read and write buffers stay at their defaults (the HTTP server's
	// 4096 bytes), larger than the kit's messages. The pool lends a write
	// buffer only while a message is written: the package's advice for a
	// modest number of writes over many connections.
	WriteBufferPool:   &sync.Pool{},
	EnableCompression: false,
}

// The open connections, so that SIGTERM can close them (http.Server's
// Shutdown does not know hijacked connections).
type registry struct {
	mu       sync.Mutex
	conns    map[*websocket.Conn]struct{}
	wg       sync.WaitGroup
	opened   atomic.Uint64
	errors   atomic.Uint64
	stopping bool
}

func (r *registry) add(c *websocket.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopping {
		return false
	}
	r.conns[c] = struct{}{}
	r.wg.Add(1)
	r.opened.Add(1)
	return true
}

func (r *registry) remove(c *websocket.Conn) {
	r.mu.Lock()
	delete(r.conns, c)
	r.mu.Unlock()
	r.wg.Done()
}

func (r *registry) echo(w http.ResponseWriter, req *http.Request) {
	c, err := upgrader.Upgrade(w, req, nil)
	if err != nil {
		return // Upgrade has answered with an HTTP error
	}
	defer c.Close()
	if !r.add(c) {
		return
	}
	defer r.remove(c)
	c.SetReadLimit(maxMessage)
	for {
		mt, message, err := c.ReadMessage()
		if err != nil {
			if !websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
				r.errors.Add(1)
			}
			return
		}
		if err = c.WriteMessage(mt, message); err != nil {
			r.errors.Add(1)
			return
		}
	}
}

// stop closes every connection with 1001 and waits up to closeGrace for
// their handlers to see the peers' answers.
func (r *registry) stop() {
	r.mu.Lock()
	r.stopping = true
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "")
	deadline := time.Now().Add(closeGrace)
	for c := range r.conns {
		c.WriteControl(websocket.CloseMessage, msg, deadline)
	}
	r.mu.Unlock()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(closeGrace):
	}
}

func main() {
	host := flag.String("host", "0.0.0.0", "address to listen on")
	port := flag.Int("port", 8000, "port to listen on")
	flag.Parse()
	if *port < 1 || *port > 65535 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go-gorilla [--host ADDR] [--port P]")
		os.Exit(2)
	}
	addr := net.JoinHostPort(*host, strconv.Itoa(*port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "go-gorilla: cannot listen on %s: %v\n", addr, err)
		os.Exit(1)
	}
	r := &registry{conns: make(map[*websocket.Conn]struct{})}
	srv := &http.Server{Handler: http.HandlerFunc(r.echo)}
	go srv.Serve(ln)
	fmt.Fprintf(os.Stderr, "go-gorilla: listening on %s\n", addr)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	<-sigs
	fmt.Fprintf(os.Stderr, "go-gorilla: stopping: %d connections, %d closed on an error\n",
		r.opened.Load(), r.errors.Load())
	ln.Close()
	r.stop()
	os.Exit(0)
}
