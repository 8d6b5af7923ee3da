package cli

import (
	"context"
	"flag"
	"fmt"

	"incidentmap/store"
)

// tokenCreateCommand prints a new token alone on the last line of stdout;
// it is shown once and only its hash is stored.
func tokenCreateCommand(fs *flag.FlagSet, _ *config) func(context.Context, *env, []string) error {
	name := fs.String("name", "", "a name for the token, recorded with every write it makes")
	scope := fs.String("scope", "", "editor (write incidents) or admin (also import files)")
	return func(ctx context.Context, e *env, _ []string) error {
		if *name == "" || (*scope != store.ScopeEditor && *scope != store.ScopeAdmin) {
			return fmt.Errorf("token create: --name and --scope editor|admin are required")
		}
		st, err := e.store()
		if err != nil {
			return err
		}
		if err := st.Migrate(ctx); err != nil {
			return err
		}
		token, err := st.CreateToken(ctx, *name, *scope)
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		_, err = fmt.Fprintf(e.stdout, "created %s token %q; it is shown once, keep it secret:\n%s\n", *scope, *name, token)
		return err
	}
}

func tokenRevokeCommand(*flag.FlagSet, *config) func(context.Context, *env, []string) error {
	return withStore(func(ctx context.Context, e *env, st *store.Store, args []string) error {
		if err := st.RevokeToken(ctx, args[0]); err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		_, err := fmt.Fprintf(e.stdout, "revoked token %q\n", args[0])
		return err
	})
}
