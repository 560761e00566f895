package main

import (
	"errors"
	"sync"
)

type Store struct {
	mu    sync.Mutex
	items map[string]int
}

type Index struct {
	mu   sync.Mutex
	keys []string
}

func (s *Store) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

// Put locks Store.mu and calls size, which locks it again.
func (s *Store) Put(k string, v int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[k] = v
	_ = s.size()
}

// Add takes Store.mu, then Index.mu.
func Add(s *Store, ix *Index, k string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix.mu.Lock()
	ix.keys = append(ix.keys, k)
	ix.mu.Unlock()
}

// Rebuild takes Index.mu, then Store.mu: the opposite order.
func Rebuild(s *Store, ix *Index) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	s.mu.Lock()
	ix.keys = ix.keys[:0]
	for k := range s.items {
		ix.keys = append(ix.keys, k)
	}
	s.mu.Unlock()
}

func fetch(k string) (int, error) {
	if k == "" {
		return 0, errors.New("empty key")
	}
	return len(k), nil
}

// First returns early on an error, leaving the sender blocked forever.
func First(keys []string) (int, error) {
	results := make(chan int)
	for _, k := range keys {
		go func(k string) {
			n, _ := fetch(k)
			results <- n
		}(k)
	}
	for range keys {
		n := <-results
		if n == 0 {
			return 0, errors.New("empty")
		}
	}
	return 0, nil
}

func main() {
	s := &Store{items: map[string]int{}}
	ix := &Index{}
	done := make(chan bool)
	go func() {
		Add(s, ix, "a")
		done <- true
	}()
	go func() {
		Rebuild(s, ix)
		done <- true
	}()
	<-done
	<-done
	s.Put("b", 2)
	_, _ = First([]string{"a", ""})
}
