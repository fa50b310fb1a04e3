package bench

import (
	"os/exec"
	"syscall"
	"time"
)

// Interrupt stops a child the program started (by its pid) as a user
// would, with SIGINT, and kills it if it has not ended after 5 seconds.
func Interrupt(c *exec.Cmd) {
	c.Process.Signal(syscall.SIGINT)
	done := make(chan struct{})
	go func() { c.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		c.Process.Kill()
		<-done
	}
}
