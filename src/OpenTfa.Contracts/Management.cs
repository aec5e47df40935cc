namespace OpenTfa.Contracts;

// OpenTfa's own surface (/opentfa/v1/*): tenants, API keys and message states.

public sealed class CreateTenantRequest
{
    public string? Name { get; set; }
}

public sealed class TenantResponse
{
    public required string TenantId { get; init; }
    public required string Name { get; init; }
    public required long CreatedAt { get; init; }
    /// <summary>The user name a Twilio library passes with one of the tenant's keys as its auth token.</summary>
    public required string TwilioAccountSid { get; init; }
}

/// <summary>The senders a tenant may use; an omitted or null list leaves that kind to the service-wide rule.</summary>
public sealed class TenantSendersRequest
{
    public IReadOnlyList<string>? Sms { get; set; }
    public IReadOnlyList<string>? Email { get; set; }
}

public sealed class TenantSendersResponse
{
    public required string TenantId { get; init; }
    public IReadOnlyList<string>? Sms { get; init; }
    public IReadOnlyList<string>? Email { get; init; }
}

public sealed class CreateApiKeyRequest
{
    public string? Name { get; set; }
    public string? TenantId { get; set; }
    public IReadOnlyList<string>? Scopes { get; set; }
    /// <summary>Expiry as UNIX milliseconds; omitted means the key does not expire.</summary>
    public long? ExpiresAt { get; set; }
}

public sealed class ApiKeyResponse
{
    public required string KeyId { get; init; }
    public required string TenantId { get; init; }
    public required string Name { get; init; }
    public required IReadOnlyList<string> Scopes { get; init; }
    public required long CreatedAt { get; init; }
    public long? ExpiresAt { get; init; }
    public long? LastUsedAt { get; init; }
    public long? RevokedAt { get; init; }
    /// <summary>The clear key; present only in the answer that created it.</summary>
    public string? Key { get; init; }
    /// <summary>The API key SID a Twilio library passes as user name with this key as its secret.</summary>
    public required string TwilioSid { get; init; }
}

public sealed class MessageStateResponse
{
    public required string MessageId { get; init; }
    public required string PinId { get; init; }
    public required string Channel { get; init; }
    public required string State { get; init; }
    public required string To { get; init; }
    public required int Attempts { get; init; }
    public required long CreatedAt { get; init; }
    public long? UpdatedAt { get; init; }
    public string? ChannelName { get; init; }
    public string? ChannelMessageId { get; init; }
    public string? Error { get; init; }
    public long? DeliveredAt { get; init; }

    /// <summary>The workflow step (from 1) this message delivers; absent outside a workflow.</summary>
    public int? Step { get; init; }
}

public sealed class HealthResponse
{
    public required string Status { get; init; }
    public IDictionary<string, string>? Details { get; init; }
}

/// <summary>The running server's version and the commit it was built from (<c>unknown</c> when built outside git).</summary>
public sealed class VersionResponse
{
    public required string Version { get; init; }
    public required string Commit { get; init; }
}

/// <summary>Create or update an e-mail body; on update every field is optional.</summary>
public sealed class EmailBodyRequest
{
    public string? Name { get; set; }
    public string? Subject { get; set; }
    public string? Text { get; set; }
    public string? Html { get; set; }
}

public sealed class EmailBodyResponse
{
    /// <summary>The id that e-mail templates use as <c>emailTemplateId</c>.</summary>
    public required long Id { get; init; }
    public required string Name { get; init; }
    public required string Subject { get; init; }
    public required string Text { get; init; }
    public string? Html { get; init; }
    public required long CreatedAt { get; init; }
    public required long UpdatedAt { get; init; }
}
