package server

import (
	"context"
	"strings"

	"github.com/labstack/echo/v4"

	"incidentmap/geo"
)

// Token scopes, as the store names them.
const (
	scopeEditor = "editor"
	scopeAdmin  = "admin"
)

const tokenNameKey = "token_name"

// Authenticator checks the bearer tokens of writes and of reads that
// include drafts.
type Authenticator interface {
	// Authenticate returns the name and scope of a live token
	// (EUnauthorized otherwise).
	Authenticate(ctx context.Context, token string) (name, scope string, err error)
}

// errUnknownToken refuses every token of a server built without an
// Authenticator.
var errUnknownToken = &geo.Error{Code: geo.EUnauthorized, Message: "this server accepts no tokens"}

// authenticate asks s.auth about token; without one, no token is live.
func (s *Server) authenticate(ctx context.Context, token string) (name, scope string, err error) {
	if s.auth == nil {
		return "", "", errUnknownToken
	}
	return s.auth.Authenticate(ctx, token)
}

// bearer returns the token of an "Authorization: Bearer" header, or "".
func bearer(c echo.Context) string {
	h := c.Request().Header.Get(echo.HeaderAuthorization)
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// requireScope lets a request through only with a live token of one of the
// scopes: 401 without a token or with a wrong one, 403 with another scope.
// The token's name is kept for the revision log; the token itself is never
// logged.
func (s *Server) requireScope(scopes ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			token := bearer(c)
			if token == "" {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="incidentmap"`)
				return &geo.Error{Code: geo.EUnauthorized, Message: "this route needs an Authorization: Bearer token"}
			}
			name, scope, err := s.authenticate(c.Request().Context(), token)
			if err != nil {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="incidentmap", error="invalid_token"`)
				return err
			}
			if !contains(scopes, scope) {
				return &geo.Error{Code: geo.EForbidden, Message: "the token's scope (" + scope + ") may not do this; it needs " +
					strings.Join(scopes, " or ")}
			}
			c.Set(tokenNameKey, name)
			return next(c)
		}
	}
}

// optionalToken authenticates a token when the request carries one: reads
// then include drafts on request. A wrong token is still a 401.
func (s *Server) optionalToken(c echo.Context) (authenticated bool, err error) {
	token := bearer(c)
	if token == "" {
		return false, nil
	}
	if _, _, err := s.authenticate(c.Request().Context(), token); err != nil {
		return false, err
	}
	return true, nil
}
