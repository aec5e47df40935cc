namespace OpenTfa.Contracts;

// OpenTfa's own surface: the authentication template of a whatsapp channel, created at Meta
// (POST /opentfa/v1/channels/{name}/whatsapp-template).

public sealed class WhatsAppTemplateResponse
{
    /// <summary>The OpenTfa channel whose account the template was created on.</summary>
    public required string Channel { get; init; }

    /// <summary>Meta's id of the template.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>Meta's language code (en, pt_BR).</summary>
    public required string Language { get; init; }

    /// <summary>AUTHENTICATION.</summary>
    public required string Category { get; init; }

    /// <summary>COPY_CODE, or ONE_TAP when the channel names an Android app.</summary>
    public required string OtpType { get; init; }

    /// <summary>Meta's review status: PENDING, APPROVED or REJECTED.</summary>
    public required string Status { get; init; }
}
