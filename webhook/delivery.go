package webhook

import (
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"
)

// The states of a delivery.
const (
	StatePending   = "pending"   // not delivered yet; tried again at NextAttemptAt
	StateDelivered = "delivered" // the receiver answered 2xx
	StateFailed    = "failed"    // no 2xx within MaxAge of the change: given up
)

// Delivery is one change to send to one webhook: a row of the outbox, and
// of the delivery log an admin reads (GET /webhooks/deliveries).
type Delivery struct {
	ID            int64      `json:"id"`
	Webhook       int64      `json:"webhook"`
	WebhookURL    string     `json:"webhook_url"`
	Incident      string     `json:"incident"`
	Op            string     `json:"op"`
	Seq           int64      `json:"seq"`
	At            time.Time  `json:"at"` // when the change was made
	State         string     `json:"state"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at"` // pending ones only
	LastAttemptAt *time.Time `json:"last_attempt_at"`
	LastStatus    *int       `json:"last_status"` // the HTTP status of the last attempt; null when none came back
	LastError     string     `json:"last_error"`
	CreatedAt     time.Time  `json:"created_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
}

// LogQuery selects a page of the delivery log, newest first.
type LogQuery struct {
	Webhook int64  // 0: every webhook
	State   string // "": every state
	Before  int64  // only deliveries with a smaller id (the next page); 0: from the newest
	Limit   int
}

// Attempt is the outcome of one POST of a delivery.
type Attempt struct {
	Delivered bool
	Status    int    // the HTTP status; 0 when no answer came back
	Error     string // why it failed, short; "" when delivered
	// Delay is how long to wait before the next attempt, when it failed;
	// the queue never schedules one later than MaxAge after the change, and
	// marks the delivery failed when it fails after that.
	Delay  time.Duration
	MaxAge time.Duration
}

// Payload is the JSON body of a delivery, which its signature covers.
type Payload struct {
	ID  string    `json:"id"`  // the incident's id
	Op  string    `json:"op"`  // create, update or delete
	Seq int64     `json:"seq"` // the change's number in /changes
	At  time.Time `json:"at"`  // when the change was made
	URL string    `json:"url"` // the incident's public URL
}

// body is the payload of d, whose incident's URL starts with base.
func body(d Delivery, base string) []byte {
	b, _ := json.Marshal(Payload{ID: d.Incident, Op: d.Op, Seq: d.Seq, At: d.At.UTC(), URL: IncidentURL(base, d.Incident)})
	return b
}

// IncidentURL is the public URL of an incident under the server's base URL.
func IncidentURL(base, id string) string {
	return strings.TrimRight(base, "/") + "/collections/incidents/items/" + url.PathEscape(id)
}

// backoff is the wait after the n-th failed attempt (n >= 1): base doubled
// n-1 times, at most max, with jitter (between half of it and all of it),
// so that the deliveries of a receiver that was down do not all come back
// at once.
func backoff(n int, base, maxDelay time.Duration) time.Duration {
	d := maxDelay
	if n-1 < 40 && base<<(n-1) > 0 && base<<(n-1) < maxDelay {
		d = base << (n - 1)
	}
	half := d / 2
	return half + rand.N(d-half+1)
}
