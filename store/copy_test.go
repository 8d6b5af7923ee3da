package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"incidentmap/geo"
	"incidentmap/store/storetest"
)

// incidents yields n test incidents; change, when not nil, may alter the i-th
// (0-based) before it is yielded. It reuses one Incident, as CopyIncidents
// allows.
func incidents(n int, change func(i int, in *geo.Incident)) func() (*geo.Incident, bool, error) {
	i := 0
	var in geo.Incident
	return func() (*geo.Incident, bool, error) {
		if i == n {
			return nil, false, nil
		}
		in = testIncident(fmt.Sprintf("copy-%05d", i), -4+float64(i%100)/100, 14+float64(i/100)/100,
			"2022-03-27", "2022-03-31")
		in.Synthetic = true
		in.Claims[0].Statement = fmt.Sprintf("statement %d\twith a tab and a \\ backslash", i)
		if change != nil {
			change(i, &in)
		}
		i++
		return &in, true, nil
	}
}

func TestCopyIncidentsLoadsAndReadsBack(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	v0, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.CopyIncidents(ctx, incidents(10000, nil))
	if err != nil {
		t.Fatal(err)
	}
	if n != 10000 {
		t.Errorf("CopyIncidents = %d, want 10000", n)
	}
	if count, err := st.CountIncidents(ctx, geo.Filter{}, 1<<30); err != nil || count != 10000 {
		t.Errorf("CountIncidents = %d, %v; want 10000", count, err)
	}
	if v, err := st.DataVersion(ctx); err != nil || v <= v0 {
		t.Errorf("DataVersion = %d, %v; want more than %d", v, err, v0)
	}
	got, err := st.Incident(ctx, "copy-01234")
	if err != nil {
		t.Fatal(err)
	}
	next := incidents(1235, nil)
	var want *geo.Incident
	for range 1235 {
		want, _, _ = next()
	}
	checkCopied(t, got, *want)
}

// checkCopied compares what the store read back with what went in.
func checkCopied(t *testing.T, got, want geo.Incident) {
	t.Helper()
	if !got.Synthetic || got.EventType != want.EventType || got.Title != want.Title ||
		!reflect.DeepEqual(got.Geometry, want.Geometry) || !got.StartsAt.Equal(want.StartsAt) ||
		!got.EndsAt.Equal(want.EndsAt) || !reflect.DeepEqual(got.Actors, want.Actors) ||
		*got.Fatalities.Best != *want.Fatalities.Best {
		t.Errorf("incident read back as\n%+v\nwant\n%+v", got, want)
	}
	if !reflect.DeepEqual(got.Claims, want.Claims) {
		t.Errorf("claims = %+v, want %+v", got.Claims, want.Claims)
	}
	if !reflect.DeepEqual(got.Sources, want.Sources) {
		t.Errorf("sources = %+v, want %+v", got.Sources, want.Sources)
	}
	if time.Since(got.CreatedAt) > time.Hour {
		t.Errorf("created_at = %v, want about now", got.CreatedAt)
	}
}

func TestCopyIncidentsStoresNothingOnError(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	if err := st.Upsert(ctx, nil, []geo.Incident{testIncident("already-there", -4, 14, "2022-01-01", "2022-01-01")}, "test"); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	tests := []struct {
		name    string
		next    func() (*geo.Incident, bool, error)
		wantErr string
	}{
		{"an invalid event type in the second batch", incidents(25000, func(i int, in *geo.Incident) {
			if i == 15000 {
				in.EventType = "skirmish"
			}
		}), "incident copy-15000: "},
		{"an end before the start", incidents(500, func(i int, in *geo.Incident) {
			if i == 42 {
				in.EndsAt = in.StartsAt.Add(-time.Hour)
			}
		}), "incident copy-00042: "},
		{"an id that exists", incidents(20, func(i int, in *geo.Incident) {
			if i == 7 {
				in.ID = "already-there"
			}
		}), "incident already-there: "},
		{"an error from next", func() func() (*geo.Incident, bool, error) {
			gen := incidents(12000, nil)
			i := 0
			return func() (*geo.Incident, bool, error) {
				if i++; i == 11000 {
					return nil, false, boom
				}
				return gen()
			}
		}(), "boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := st.CopyIncidents(ctx, tt.next)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("CopyIncidents = %d, %v; want an error containing %q", n, err, tt.wantErr)
			}
			if n != 0 {
				t.Errorf("CopyIncidents stored %d, want 0", n)
			}
			if count, err := st.CountIncidents(ctx, geo.Filter{}, 1<<30); err != nil || count != 1 {
				t.Errorf("CountIncidents = %d, %v; want only the 1 upserted before", count, err)
			}
		})
	}
}
