// Command gopanic writes a log line to stderr and then dies the way its
// argument says, so that tests can check GoTracebackPattern against what the
// Go runtime really prints. The files beside this directory were made with
//
//	go run -trimpath ./gopanic MODE 2>MODE.txt
//
// (GOTRACEBACK=all for goroutine-all.txt, GOTRACEBACK=system for
// goroutine-system.txt; sigquit.txt on linux/amd64).
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"
	"syscall"
	"time"
)

type T struct{ m map[string]int }

func (t *T) set(k string) { t.m[k] = 1 }

func work(n int) {
	if n == 0 {
		panic(fmt.Sprintf("boom %d", n))
	}
	work(n - 1)
}

func deep(n int) int { return deep(n+1) + 1 }

func gen[V any](v V) {
	var m map[string]V
	m["a"] = v
}

func message(n int) {
	if n == 0 {
		panic(errors.New("first line of the error\nsecond line of the error"))
	}
	message(n - 1)
}

func main() {
	fmt.Fprintln(os.Stderr, "2025-01-01T00:00:00Z INFO starting")
	switch os.Args[1] {
	case "goroutine": // a panic in a goroutine while main waits for it
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { work(3); wg.Done() }() // not deferred: a deferred Done runs while the panic unwinds, and main could return (exit 0) before the runtime prints the panic
		wg.Wait()
	case "nilmap":
		var t T
		t.set("x")
	case "nilptr":
		var p *T
		fmt.Println(p.m)
	case "deadlock": // a fatal error, all goroutines printed
		ch := make(chan int)
		go func() { <-ch }()
		<-make(chan int)
	case "repanic": // a panic during a panic
		defer func() { panic(fmt.Sprint("again: ", recover())) }()
		panic("first")
	case "reraise": // a recovered panic raised again
		defer func() { panic(recover()) }()
		panic(errors.New("same"))
	case "generic":
		gen(3)
	case "message": // a multi-line panic value, deep enough to elide frames
		message(120)
	case "overflow": // a stack overflow: "runtime:" lines before the fatal error
		debug.SetMaxStack(1 << 16)
		deep(0)
	case "sigquit": // kill -QUIT: every goroutine, then the registers
		// The runtime dumps and exits within milliseconds of the signal; it is sent again
		// each second in case one was lost (a CI run once hung here, waiting for ever).
		p, _ := os.FindProcess(os.Getpid())
		for range 30 {
			p.Signal(syscall.SIGQUIT)
			time.Sleep(time.Second)
		}
		os.Exit(3) // never handled: the test fails on the missing dump instead of hanging
	}
}
