using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Audit;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Storage.GrainState;
using Mirc.Grains.Storage;
using Mirc.Grains.Security.Secrets;

namespace Mirc.Grains.Security;

/// <summary>
/// A local account: password (PBKDF2-SHA256) + TOTP, single-use codes, lock-out after repeated failures.
/// The grain is the one place that decides a local login, for HTTP and DIMSE alike, and audits it.
/// </summary>
public sealed partial class LocalAccountGrain(
    [PersistentState("localAccount", StorageProviders.Archive)] IPersistentState<LocalAccountState> state,
    IOptions<LocalAccountOptions> options,
    IAuditTrail audit,
    SecurityClock time,
    TotpSecretProtector secrets,
    ILogger<LocalAccountGrain> logger)
    : Grain, ILocalAccountGrain
{
    // Hash of a random password: verifying against it makes unknown usernames cost as much as known ones.
    private static readonly Lazy<string> DecoyHash = new(() => PasswordHasher.Hash(Guid.NewGuid().ToString("N"), PasswordHasher.MinimumIterations));

    private readonly LocalAccountOptions _options = options.Value;

    private string Username => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Accounts created before secrets were encrypted: encrypt the TOTP secret now, once.
        if (TotpSecretProtector.IsClear(state.State.TotpSecret))
        {
            state.State.TotpSecret = secrets.Protect(state.State.TotpSecret);
            await state.WriteStateAsync(cancellationToken);
        }

        await base.OnActivateAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<TotpEnrolment> CreateAsync(LocalAccountProfile profile, string initialPassword, bool mustChangePassword)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (state.State.Profile is not null)
        {
            throw new InvalidOperationException($"Account '{Username}' already exists.");
        }

        if (!string.Equals(profile.Username, Username, StringComparison.Ordinal) || !string.Equals(Username, Username.ToLowerInvariant(), StringComparison.Ordinal))
        {
            throw new ArgumentException("The profile username must equal the (lower-case) grain key.", nameof(profile));
        }

        if (string.IsNullOrWhiteSpace(profile.EstablishmentId))
        {
            throw new ArgumentException("An establishment is required.", nameof(profile));
        }

        if (!PasswordPolicy.IsAcceptable(initialPassword, Username))
        {
            throw new ArgumentException($"The password must have {PasswordPolicy.MinimumLength}+ characters, not contain the username and not be trivial.", nameof(initialPassword));
        }

        var iterations = _options.PasswordIterations;
        var secret = Base32.Encode(Totp.NewSecret());
        state.State.PasswordHash = await Task.Run(() => PasswordHasher.Hash(initialPassword, iterations));
        state.State.TotpSecret = secrets.Protect(secret);
        state.State.Profile = profile;
        state.State.MustChangePassword = mustChangePassword;
        state.State.CreatedAt = time.GetUtcNow();
        await state.WriteOrResetAsync(DeactivateOnIdle);
        await audit.RecordAsync(new AuditEvent
        {
            Timestamp = state.State.CreatedAt,
            Action = AuditAction.Administration,
            ActorId = Username,
            ActorEstablishmentId = profile.EstablishmentId,
            Detail = $"local account created with roles {string.Join(',', MircRoleNames.ToNames(profile.Roles))}",
        });
        return new TotpEnrolment(secret, Totp.EnrolmentUri(_options.TotpIssuer, Username, secret));
    }

    /// <inheritdoc />
    public async Task<LoginResult> LoginAsync(LoginAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var now = time.GetUtcNow();
        var s = state.State;
        if (s.Profile is null)
        {
            await Task.Run(() => PasswordHasher.Verify(attempt.Password ?? "", DecoyHash.Value));
            await AuditLoginAsync(AuditOutcome.Denied, attempt, now, "unknown account");
            DeactivateOnIdle(); // Don't keep activations for guessed usernames.
            return new LoginResult(LoginStatus.InvalidCredentials);
        }

        if (s.Profile.Disabled)
        {
            await AuditLoginAsync(AuditOutcome.Denied, attempt, now, "account disabled");
            return new LoginResult(LoginStatus.Disabled);
        }

        if (s.LockedUntil is { } lockedUntil && lockedUntil > now)
        {
            // No password check while locked: guessing gains nothing and costs no CPU.
            await AuditLoginAsync(AuditOutcome.Denied, attempt, now, "account locked");
            return new LoginResult(LoginStatus.LockedOut, LockedUntil: lockedUntil);
        }

        var hash = s.PasswordHash;
        var passwordOk = await Task.Run(() => PasswordHasher.Verify(attempt.Password ?? "", hash));
        var step = Totp.Match(Base32.Decode(secrets.Reveal(s.TotpSecret)), attempt.TotpCode, now);
        var totpOk = step is { } matched && matched > s.LastTotpStep;
        if (!passwordOk || !totpOk)
        {
            s.FailedAttempts++;
            string reason = !passwordOk ? "wrong password" : step is null ? "wrong TOTP code" : "TOTP code reused";
            LoginResult result = new(LoginStatus.InvalidCredentials);
            if (s.FailedAttempts >= _options.Lockout.MaxFailedAttempts)
            {
                s.LockedUntil = now + _options.Lockout.Duration;
                s.FailedAttempts = 0;
                reason += $"; account locked until {s.LockedUntil:O}";
                LogLockedOut(logger, Username, s.LockedUntil.Value);
                result = new LoginResult(LoginStatus.LockedOut, LockedUntil: s.LockedUntil);
            }

            await state.WriteOrResetAsync(DeactivateOnIdle);
            await AuditLoginAsync(AuditOutcome.Denied, attempt, now, reason);
            return result;
        }

        // Both factors are valid: the code is spent whatever happens next.
        s.LastTotpStep = step!.Value;
        s.FailedAttempts = 0;
        s.LockedUntil = null;
        if (s.MustChangePassword)
        {
            if (attempt.NewPassword is null)
            {
                await state.WriteOrResetAsync(DeactivateOnIdle);
                await AuditLoginAsync(AuditOutcome.Denied, attempt, now, "one-time password must be changed");
                return new LoginResult(LoginStatus.PasswordChangeRequired);
            }

            if (!PasswordPolicy.IsAcceptable(attempt.NewPassword, Username) || string.Equals(attempt.NewPassword, attempt.Password, StringComparison.Ordinal))
            {
                await state.WriteOrResetAsync(DeactivateOnIdle);
                await AuditLoginAsync(AuditOutcome.Denied, attempt, now, "new password rejected by policy");
                return new LoginResult(LoginStatus.WeakNewPassword);
            }

            var iterations = _options.PasswordIterations;
            var newPassword = attempt.NewPassword;
            s.PasswordHash = await Task.Run(() => PasswordHasher.Hash(newPassword, iterations));
            s.MustChangePassword = false;
        }
        else if (PasswordHasher.NeedsRehash(hash, _options.PasswordIterations))
        {
            var iterations = _options.PasswordIterations;
            var password = attempt.Password!;
            s.PasswordHash = await Task.Run(() => PasswordHasher.Hash(password, iterations));
        }

        await state.WriteOrResetAsync(DeactivateOnIdle);
        var principal = new ProfessionalPrincipal
        {
            Subject = Username,
            Rpps = s.Profile.Rpps,
            EstablishmentId = s.Profile.EstablishmentId,
            Roles = s.Profile.Roles,
            DisplayName = s.Profile.DisplayName,
            AuthenticationMethod = "local-password+totp",
        };
        await audit.RecordAsync(principal.ToAuditEvent(AuditAction.Login, AuditOutcome.Success, now, attempt.Source, detail: attempt.Channel));
        return new LoginResult(LoginStatus.Succeeded, principal);
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync() => Task.FromResult(state.State.Profile is not null);

    /// <inheritdoc />
    public Task<LocalAccountProfile?> GetProfileAsync() => Task.FromResult(state.State.Profile);

    /// <inheritdoc />
    public async Task UpdateProfileAsync(ProfessionalPrincipal administrator, LocalAccountProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var current = state.State.Profile ?? throw new InvalidOperationException($"Account '{Username}' does not exist.");
        if (!string.Equals(profile.Username, Username, StringComparison.Ordinal))
        {
            throw new ArgumentException("The username cannot change.", nameof(profile));
        }

        // The one decision: own establishment only, no move between establishments, only grantable roles.
        await AuthorizeAsync(administrator, new AccessRequest
        {
            Principal = administrator,
            Action = AccessAction.ManageProfessional,
            Now = time.GetUtcNow(),
            EstablishmentId = profile.EstablishmentId,
            PreviousEstablishmentId = current.EstablishmentId,
            RolesBefore = current.Roles,
            RolesAfter = profile.Roles,
        }, "update profile");

        state.State.Profile = profile;
        await state.WriteOrResetAsync(DeactivateOnIdle);
        await audit.RecordAsync(administrator.ToAuditEvent(AuditAction.Administration, AuditOutcome.Success, time.GetUtcNow(),
            detail: $"account {Username} updated: before roles {string.Join(',', MircRoleNames.ToNames(current.Roles))}, establishment {current.EstablishmentId}, disabled {current.Disabled}" +
                $" after roles {string.Join(',', MircRoleNames.ToNames(profile.Roles))}, establishment {profile.EstablishmentId}, disabled {profile.Disabled}"));
    }

    /// <inheritdoc />
    public async Task<TotpEnrolment> ResetCredentialsAsync(ProfessionalPrincipal administrator, string oneTimePassword)
    {
        var current = state.State.Profile ?? throw new InvalidOperationException($"Account '{Username}' does not exist.");
        await AuthorizeAdministrationAsync(administrator, current.EstablishmentId, "credential reset");
        if (!PasswordPolicy.IsAcceptable(oneTimePassword, Username))
        {
            throw new ArgumentException($"The password must have {PasswordPolicy.MinimumLength}+ characters, not contain the username and not be trivial.", nameof(oneTimePassword));
        }

        var iterations = _options.PasswordIterations;
        var secret = Base32.Encode(Totp.NewSecret());
        state.State.PasswordHash = await Task.Run(() => PasswordHasher.Hash(oneTimePassword, iterations));
        state.State.TotpSecret = secret;
        state.State.LastTotpStep = 0;
        state.State.MustChangePassword = true;
        state.State.LockedUntil = null;
        state.State.FailedAttempts = 0;
        await state.WriteOrResetAsync(DeactivateOnIdle);
        await audit.RecordAsync(administrator.ToAuditEvent(AuditAction.Administration, AuditOutcome.Success, time.GetUtcNow(),
            detail: $"account {Username}: one-time password and TOTP enrolment re-issued"));
        return new TotpEnrolment(secret, Totp.EnrolmentUri(_options.TotpIssuer, Username, secret));
    }

    /// <inheritdoc />
    public async Task UnlockAsync(ProfessionalPrincipal administrator)
    {
        var current = state.State.Profile ?? throw new InvalidOperationException($"Account '{Username}' does not exist.");
        await AuthorizeAdministrationAsync(administrator, current.EstablishmentId, "unlock");
        state.State.LockedUntil = null;
        state.State.FailedAttempts = 0;
        await state.WriteOrResetAsync(DeactivateOnIdle);
        await audit.RecordAsync(administrator.ToAuditEvent(AuditAction.Administration, AuditOutcome.Success, time.GetUtcNow(), detail: $"account {Username} unlocked"));
    }

    private Task AuthorizeAdministrationAsync(ProfessionalPrincipal administrator, string establishmentId, string what)
    {
        ArgumentNullException.ThrowIfNull(administrator);
        return AuthorizeAsync(administrator,
            new AccessRequest { Principal = administrator, Action = AccessAction.Administer, Now = time.GetUtcNow(), EstablishmentId = establishmentId }, what);
    }

    private async Task AuthorizeAsync(ProfessionalPrincipal administrator, AccessRequest request, string what)
    {
        ArgumentNullException.ThrowIfNull(administrator);
        var verdict = AccessDecision.Evaluate(request);
        if (!verdict.IsAllowed)
        {
            await audit.RecordAsync(administrator.ToAuditEvent(AuditAction.Administration, AuditOutcome.Denied, request.Now, detail: $"{what} of account {Username} refused: {verdict.Reason}"));
            throw new UnauthorizedAccessException("The principal may not administer this account.");
        }
    }

    private ValueTask AuditLoginAsync(AuditOutcome outcome, LoginAttempt attempt, DateTimeOffset now, string reason) =>
        audit.RecordAsync(new AuditEvent
        {
            Timestamp = now,
            Action = AuditAction.Login,
            Outcome = outcome,
            ActorId = Username,
            ActorEstablishmentId = state.State.Profile?.EstablishmentId,
            Source = attempt.Source,
            Detail = $"{attempt.Channel}: {reason}",
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local account {Username} locked until {LockedUntil}")]
    private static partial void LogLockedOut(ILogger logger, string username, DateTimeOffset lockedUntil);
}
