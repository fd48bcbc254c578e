package spool

import (
	"github.com/cwlogs/cwlogs/internal/goid"
	"math/rand/v2"
	"time"
)

// reportLocked records err as the last error and queues it for OnError,
// starting the reporter goroutine if it is not running. A *DropError is
// merged into the last queued report when that one is a *DropError of the
// same reason.
func (s *Spool) reportLocked(err error) {
	s.setErrLocked(err)
	if s.c.onError == nil || s.reportsDropped {
		return
	}
	if d, ok := err.(*DropError); ok {
		if k := len(s.reports); k > 0 {
			if last, ok := s.reports[k-1].(*DropError); ok && last.Reason == d.Reason {
				last.Records += d.Records
				if d.Err != nil {
					last.Err = d.Err
				}
				return
			}
		}
	}
	s.reports = append(s.reports, err)
	if !s.reporting {
		s.reporting = true
		s.rwg.Add(1)
		go s.reporter()
	}
}

// reporter passes the queued reports to OnError, in order, with no lock
// held, then exits.
func (s *Spool) reporter() {
	defer s.rwg.Done()
	id := goid.ID()
	for {
		s.mu.Lock()
		s.reporterID = id
		if len(s.reports) == 0 || s.reportsDropped {
			s.reports = nil
			s.reporting = false
			s.reporterID = 0
			s.mu.Unlock()
			return
		}
		err := s.reports[0]
		s.reports[0] = nil
		s.reports = s.reports[1:]
		s.mu.Unlock()
		s.c.onError(err)
	}
}

// backoff returns the pause after the n-th consecutive failure (n ≥ 1):
// InitialBackoff doubled n-1 times, at most MaxBackoff, drawn from [d/2, d].
func (c *config) backoff(n int) time.Duration {
	d := c.initialBackoff
	for i := 1; i < n && d < c.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.maxBackoff)
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}
