package patterns

import "fmt"

// Default values of Options' zero fields.
const (
	DefaultSimilarity      = 0.5
	DefaultMaxPatterns     = 1000
	DefaultMaxSamples      = 5
	DefaultMaxEnumerations = 10
	DefaultMaxTokens       = 128
)

// groupMax bounds the patterns of one group (same word count, separators and first
// word), which bounds the comparisons one Add makes.
const groupMax = 64

// Options configure a Clusterer. The zero value is ready to use: every zero field takes
// its default.
type Options struct {
	// Similarity is the least share (0 < Similarity <= 1) of a message's words that must
	// agree with a pattern's template (equal to its static word there, or at one of its
	// dynamic tokens) for the message to join it. Zero means DefaultSimilarity (0.5).
	Similarity float64

	// MaxPatterns bounds the number of patterns (the overflow pattern aside; see the
	// package documentation). Zero means DefaultMaxPatterns (1000).
	MaxPatterns int

	// MaxSamples is how many messages each pattern keeps as samples: the oldest by
	// timestamp (the earliest added among equal timestamps). Zero means
	// DefaultMaxSamples (5).
	MaxSamples int

	// MaxEnumerations is how many values (with their counts) Token.Enumerations reports
	// for each dynamic token: the most frequent. A pattern tracks up to four times as
	// many per token; once a token has had more distinct values than that, the counts
	// are those of the space-saving algorithm (a value that displaced another carries
	// the displaced count: an upper bound). Zero means DefaultMaxEnumerations (10).
	MaxEnumerations int

	// MaxTokens bounds the words a message is split into; the last word then holds the
	// rest of the message. Zero means DefaultMaxTokens (128).
	MaxTokens int
}

// Validate reports the first field out of range, naming it and its value. New does not
// fail: it uses the default in place of a field out of range.
func (o Options) Validate() error {
	switch {
	case o.Similarity < 0 || o.Similarity > 1 || o.Similarity != o.Similarity:
		return fmt.Errorf("patterns: Options.Similarity %v is not between 0 and 1", o.Similarity)
	case o.MaxPatterns < 0:
		return fmt.Errorf("patterns: Options.MaxPatterns %d is negative", o.MaxPatterns)
	case o.MaxSamples < 0:
		return fmt.Errorf("patterns: Options.MaxSamples %d is negative", o.MaxSamples)
	case o.MaxEnumerations < 0:
		return fmt.Errorf("patterns: Options.MaxEnumerations %d is negative", o.MaxEnumerations)
	case o.MaxTokens < 0:
		return fmt.Errorf("patterns: Options.MaxTokens %d is negative", o.MaxTokens)
	}
	return nil
}

// withDefaults replaces zero and out-of-range fields by their defaults.
func (o Options) withDefaults() Options {
	if !(o.Similarity > 0 && o.Similarity <= 1) {
		o.Similarity = DefaultSimilarity
	}
	if o.MaxPatterns <= 0 {
		o.MaxPatterns = DefaultMaxPatterns
	}
	if o.MaxSamples <= 0 {
		o.MaxSamples = DefaultMaxSamples
	}
	if o.MaxEnumerations <= 0 {
		o.MaxEnumerations = DefaultMaxEnumerations
	}
	if o.MaxTokens <= 0 {
		o.MaxTokens = DefaultMaxTokens
	}
	return o
}
