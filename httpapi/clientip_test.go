package httpapi

import (
	"net/http"
	"testing"

	"examiner/internal/signin"
)

func TestTheClientAddressIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	proxies, err := ParseProxies(" 10.0.0.0/8, 192.168.1.1 ,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"a direct client", "203.0.113.7:5000", nil, "203.0.113.7"},
		{"a direct client claiming another address", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"behind one trusted proxy", "10.0.0.2:443", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a spoofed entry left of the real client", "10.0.0.2:443", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"behind two trusted proxies", "10.0.0.2:443", []string{"198.51.100.1, 192.168.1.1"}, "198.51.100.1"},
		{"the header split over lines", "10.0.0.2:443", []string{"1.1.1.1", "198.51.100.1, 10.9.9.9"}, "198.51.100.1"},
		{"every hop trusted", "10.0.0.2:443", []string{"10.1.1.1, 10.2.2.2"}, "10.1.1.1"},
		{"garbage from the client's side", "10.0.0.2:443", []string{"not-an-ip"}, "10.0.0.2"},
		{"garbage between proxies", "10.0.0.2:443", []string{"198.51.100.1, <script>, 10.3.3.3"}, "10.3.3.3"},
		{"a trusted proxy without the header", "10.0.0.2:443", nil, "10.0.0.2"},
		{"IPv6 through an IPv6 proxy", "[fd00::1]:443", []string{"2001:db8::42"}, "2001:db8::42"},
		{"an IPv4-mapped peer", "[::ffff:10.0.0.2]:443", []string{"198.51.100.9"}, "198.51.100.9"},
		{"a peer that is no address", "@", nil, "invalid IP"},
		{"an entry with a port", "10.0.0.2:443", []string{"198.51.100.1:5678"}, "198.51.100.1"},
		{"an IPv6 entry with a port", "10.0.0.2:443", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
	}
	for _, c := range cases {
		r := &http.Request{RemoteAddr: c.peer, Header: http.Header{}}
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := proxies.clientIP(r).String(); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	mapped, err := ParseProxies("::ffff:10.0.0.0/104")
	if err != nil || mapped.clientIP(&http.Request{RemoteAddr: "10.1.2.3:1", Header: http.Header{"X-Forwarded-For": {"198.51.100.7"}}}).String() != "198.51.100.7" {
		t.Errorf("an IPv4-mapped proxy prefix does not match its IPv4 peers (%v)", err)
	}
	var none Proxies
	r := &http.Request{RemoteAddr: "10.0.0.2:443", Header: http.Header{"X-Forwarded-For": {"198.51.100.1"}}}
	if got := none.clientIP(r).String(); got != "10.0.0.2" {
		t.Errorf("no trusted proxies: got %s, want the peer", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "not-an-ip", "10.0.0.1/8/8"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("ParseProxies(%q): no error", bad)
		}
	}
}

func TestAnIPv6ClientIsLimitedByItsSlash64(t *testing.T) {
	r1 := &http.Request{RemoteAddr: "[2001:db8:1:2:aaaa::1]:1", Header: http.Header{}}
	r2 := &http.Request{RemoteAddr: "[2001:db8:1:2:bbbb::2]:1", Header: http.Header{}}
	r3 := &http.Request{RemoteAddr: "[2001:db8:1:3::1]:1", Header: http.Header{}}
	var p Proxies
	if signin.AddressKey(p.clientIP(r1)) != signin.AddressKey(p.clientIP(r2)) || signin.AddressKey(p.clientIP(r1)) == signin.AddressKey(p.clientIP(r3)) {
		t.Fatalf("keys %s %s %s: want the first two equal, the third apart",
			signin.AddressKey(p.clientIP(r1)), signin.AddressKey(p.clientIP(r2)), signin.AddressKey(p.clientIP(r3)))
	}
	if signin.AddressKey(p.clientIP(&http.Request{RemoteAddr: "192.0.2.1:1"})) != "192.0.2.1" {
		t.Fatal("an IPv4 client is not keyed by its address")
	}
}
