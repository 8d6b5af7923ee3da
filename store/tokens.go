package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"incidentmap/geo"
)

// Token scopes.
const (
	ScopeEditor = "editor" // may write incidents
	ScopeAdmin  = "admin"  // may also import files
)

// CreateToken stores a new token and returns it; only the SHA-256 of its
// secret part is kept, so it cannot be shown again. The token reads
// "im_<id>_<secret>": the id finds the row, the secret is compared in
// constant time.
func (s *Store) CreateToken(ctx context.Context, name, scope string) (string, error) {
	if scope != ScopeEditor && scope != ScopeAdmin {
		return "", geo.Invalid("scope", "must be editor or admin")
	}
	if name == "" || len(name) > 100 {
		return "", geo.Invalid("name", "must be 1-100 characters")
	}
	idBytes, secret := make([]byte, 6), make([]byte, 32)
	rand.Read(idBytes)
	rand.Read(secret)
	id := hex.EncodeToString(idBytes)
	secretText := base64.RawURLEncoding.EncodeToString(secret)
	hash := sha256.Sum256([]byte(secretText))
	_, err := s.db.ExecContext(ctx, `INSERT INTO tokens (id, name, scope, hash) VALUES ($1, $2, $3, $4)`,
		id, name, scope, hash[:])
	if err != nil {
		if geo.ErrorCode(translate(err)) == geo.EInvalid {
			return "", geo.Invalid("name", "a token named %q exists already", name)
		}
		return "", translate(err)
	}
	return "im_" + id + "_" + secretText, nil
}

// RevokeToken revokes the token with the given name; ENotFound when there
// is no such live token.
func (s *Store) RevokeToken(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL`, name)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return geo.NotFound("no live token named %q", name)
	}
	return nil
}

// Authenticate returns the name and scope of a live token, or an
// EUnauthorized *geo.Error that never says which part was wrong.
func (s *Store) Authenticate(ctx context.Context, token string) (name, scope string, err error) {
	denied := &geo.Error{Code: geo.EUnauthorized, Message: "the token is missing, wrong or revoked"}
	rest, ok := strings.CutPrefix(token, "im_")
	id, secret, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(id) != 12 || len(secret) > 100 {
		return "", "", denied
	}
	var hash []byte
	err = s.db.QueryRowContext(ctx, `SELECT name, scope, hash FROM tokens WHERE id = $1 AND revoked_at IS NULL`, id).
		Scan(&name, &scope, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", denied
	}
	if err != nil {
		return "", "", translate(err)
	}
	got := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(got[:], hash) != 1 {
		return "", "", denied
	}
	return name, scope, nil
}
