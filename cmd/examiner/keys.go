package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"examiner/internal/dbclaim"
	"examiner/internal/dbsqlc"
	"examiner/internal/token"
)

// keysCommand manages the claim keys (migration 014) as the database's owner: install derives
// this server's key from JWT_SECRET and DB_CLAIM_KID and stores it, list shows kids and
// fingerprints, retire KID removes one (never the last). Rotation: install under a new kid, roll
// the servers onto it, retire the old one (docs/dba.md).
func keysCommand(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("keys: want install, list or retire KID: %w", errUsage)
	}
	conn, err := connect(ctx, getenv)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	q := dbsqlc.New(conn)
	switch {
	case args[0] == "install" && len(args) == 1:
		secret := []byte(getenv("JWT_SECRET"))
		if len(secret) < token.MinSecretLength {
			return fmt.Errorf("keys install: JWT_SECRET must be the server's (at least %d bytes)", token.MinSecretLength)
		}
		signer, err := dbclaim.NewSigner(secret, orDefault(getenv("DB_CLAIM_KID"), dbclaim.DefaultKID))
		if err != nil {
			return err
		}
		row, err := q.InstallClaimKey(ctx, dbsqlc.InstallClaimKeyParams{Kid: signer.KID(), Key: signer.Key()})
		if err != nil {
			return fmt.Errorf("keys install: %w", err)
		}
		if !bytes.Equal(row.Key, signer.Key()) {
			return fmt.Errorf("keys install: kid %s holds another key (fingerprint %s; this JWT_SECRET's is %s): install under a new DB_CLAIM_KID",
				signer.KID(), dbclaim.Fingerprint(row.Key), signer.Fingerprint())
		}
		state := "already installed"
		if row.Inserted {
			state = "installed"
		}
		fmt.Fprintf(stdout, "keys: kid %s %s (fingerprint %s)\n", signer.KID(), state, signer.Fingerprint())
		return nil
	case args[0] == "list" && len(args) == 1:
		keys, err := q.ListClaimKeys(ctx)
		if err != nil {
			return fmt.Errorf("keys list: %w", err)
		}
		fmt.Fprintln(stdout, "kid\tfingerprint\tcreated_at")
		for _, k := range keys {
			fmt.Fprintf(stdout, "%s\t%s\t%s\n", k.Kid, dbclaim.Fingerprint(k.Key), k.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"))
		}
		return nil
	case args[0] == "retire" && len(args) == 2:
		n, err := q.RetireClaimKey(ctx, args[1])
		if err != nil {
			return fmt.Errorf("keys retire: %w", err)
		}
		if n == 0 {
			return errors.New("keys retire: no such kid, or it is the last key (install another first)")
		}
		fmt.Fprintf(stdout, "keys: kid %s retired\n", args[1])
		return nil
	}
	return fmt.Errorf("keys: want install, list or retire KID: %w", errUsage)
}
