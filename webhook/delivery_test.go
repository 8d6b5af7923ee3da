package webhook

import (
	"testing"
	"time"
)

func TestPayloadIsTheFiveFieldsInOrder(t *testing.T) {
	d := Delivery{Incident: "moura 2022/03", Op: OpCreate, Seq: 42, At: time.Date(2022, 3, 27, 10, 0, 0, 0, time.FixedZone("x", 3600))}
	want := `{"id":"moura 2022/03","op":"create","seq":42,"at":"2022-03-27T09:00:00Z",` +
		`"url":"https://maps.example.org/collections/incidents/items/moura%202022%2F03"}`
	if got := string(body(d, "https://maps.example.org/")); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

func TestBackoffGrowsWithJitterAndStaysBounded(t *testing.T) {
	for n := 1; n <= 60; n++ {
		want := time.Second << min(n-1, 20)
		want = min(want, time.Hour)
		for range 20 {
			d := backoff(n, time.Second, time.Hour)
			if d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, d, want/2, want)
			}
		}
	}
}
