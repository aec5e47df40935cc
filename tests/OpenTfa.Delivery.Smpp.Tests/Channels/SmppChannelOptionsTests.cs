using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTfa.Core.Delivery;
using OpenTfa.Delivery.Smpp.Channels;
using OpenTfa.Delivery.Tests.Infrastructure;

namespace OpenTfa.Delivery.Smpp.Tests.Channels;

public sealed class SmppChannelOptionsTests
{
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(30);
    private static readonly SmppChannelFactory Factory = new();

    private static IConfigurationSection Section(params (string Key, string? Value)[] settings) => ChannelSettingsProbe.Section("carrier", settings);

    private static readonly (string, string?)[] Valid =
        [("Type", "smpp"), ("Host", "smsc.example.net"), ("SystemId", "acme"), ("Password", "s3cr3t!")];

    [Fact]
    public void Bind_EverySetting_IsRead()
    {
        var section = Section([
            .. Valid, ("Port", "3550"), ("SystemType", "OTP"), ("AddressRange", "^41"), ("BindMode", "TransmitterAndReceiver"), ("UseTls", "true"),
            ("AllowInvalidCertificate", "true"), ("Binds", "3"), ("WindowSize", "20"), ("MaxMessagesPerSecond", "100"), ("EnquireLinkInterval", "00:00:15"),
            ("ResponseTimeout", "00:00:05"), ("ConnectTimeout", "00:00:04"), ("ReconnectInitialDelay", "00:00:02"), ("ReconnectMaxDelay", "00:00:30"),
            ("ThrottleRetryDelay", "00:00:00.500"), ("MaxThrottleRetries", "7"), ("ValidityPeriod", "00:10:00"), ("SourceTon", "0"), ("SourceNpi", "1"),
            ("DestTon", "1"), ("DestNpi", "1"), ("DefaultSender", "Acme"), ("LinkWaitTimeout", "00:00:08")]);

        Assert.Empty(ChannelSettingsProbe.Problems(Factory, section, SendTimeout));
        var c = ChannelSettingsProbe.Read<SmppConnectionOptions>(Factory, section);
        var options = ChannelSettingsProbe.Read<SmppChannelOptions>(Factory, section);
        Assert.Equal(("smsc.example.net", 3550, "acme", "s3cr3t!", "OTP", "^41"), (c.Host, c.Port, c.SystemId, c.Password, c.SystemType, c.AddressRange));
        Assert.Equal((SmppBindMode.TransmitterAndReceiver, true, true, 3, 20, 100), (c.BindMode, c.UseTls, c.AllowInvalidCertificate, c.Binds, c.WindowSize, c.MaxMessagesPerSecond));
        Assert.Equal((TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(4)), (c.EnquireLinkInterval, c.ResponseTimeout, c.ConnectTimeout));
        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500), 7), (c.ReconnectInitialDelay, c.ReconnectMaxDelay, c.ThrottleRetryDelay, c.MaxThrottleRetries));
        Assert.Equal(TimeSpan.FromMinutes(10), c.ValidityPeriod);
        Assert.Equal(((byte?)0, (byte?)1, (byte?)1, (byte?)1), (c.SourceTon, c.SourceNpi, c.DestTon, c.DestNpi));
        Assert.Equal(("Acme", TimeSpan.FromSeconds(8)), (options.DefaultSender, options.LinkWaitTimeout));
    }

    [Fact]
    public void Bind_Defaults_AreTheDocumentedOnes()
    {
        var connection = ChannelSettingsProbe.Read<SmppConnectionOptions>(Factory, Section(Valid));
        var options = ChannelSettingsProbe.Read<SmppChannelOptions>(Factory, Section(Valid));

        Assert.Equal((2775, 1, 10, 50, SmppBindMode.Transceiver), (connection.Port, connection.Binds, connection.WindowSize, connection.MaxMessagesPerSecond, connection.BindMode));
        Assert.Equal((null, TimeSpan.FromSeconds(10)), (options.DefaultSender, options.LinkWaitTimeout));
    }

    [Fact]
    public void Bind_MissingHostAndSystemId_NamesEachSetting()
    {
        var problems = ChannelSettingsProbe.Problems(Factory, Section(("Type", "smpp"), ("Password", "pw")));

        Assert.Contains("OpenTfa:Channels:carrier:Host is required", problems);
        Assert.Contains("OpenTfa:Channels:carrier:SystemId is required", problems);
    }

    [Fact]
    public void Bind_BadValues_NameTheSettingAndValue_ButNeverThePassword()
    {
        var problems = ChannelSettingsProbe.Problems(Factory, Section([.. Valid[..3], ("Password", "far-too-long-secret"), ("Port", "0"), ("Binds", "0")]), SendTimeout);

        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Channels:carrier:Port must be between 1 and 65535; got 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Channels:carrier:Binds must be between 1 and 64; got 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("OpenTfa:Channels:carrier:Password", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains("far-too-long-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_BadDefaultSender_IsNamed()
    {
        var problem = Assert.Single(ChannelSettingsProbe.Problems(Factory, Section([.. Valid, ("DefaultSender", "A sender that is too long")]), SendTimeout));

        Assert.StartsWith("OpenTfa:Channels:carrier:DefaultSender must be a number of at most 20 digits", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_PasswordFile_IsRead()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "filepw\n");
            var connection = ChannelSettingsProbe.Read<SmppConnectionOptions>(Factory, Section([.. Valid[..3], ("PasswordFile", file)]));

            Assert.Equal("filepw", connection.Password);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Bind_LinkWaitPlusResponseTimeoutNotBelowSendTimeout_IsRefused()
    {
        var problem = Assert.Single(ChannelSettingsProbe.Problems(Factory, Section([.. Valid, ("LinkWaitTimeout", "00:00:25"), ("ResponseTimeout", "00:00:05")]), SendTimeout));

        Assert.StartsWith("OpenTfa:Channels:carrier:LinkWaitTimeout (00:00:25) plus OpenTfa:Channels:carrier:ResponseTimeout (00:00:05) must be shorter than OpenTfa:Delivery:SendTimeout (00:00:30)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Factory_BadSettings_ThrowsWithEveryProblem()
    {
        var section = Section(("Type", "smpp"), ("Password", "hunter2"));
        using var services = ChannelSettingsProbe.Services(Factory, section, more: RecordingOutboxStore.Register);

        var e = Assert.Throws<InvalidOperationException>(() => Factory.Create("carrier", section, services));

        Assert.Contains("Invalid settings for the SMPP channel 'carrier'", e.Message, StringComparison.Ordinal);
        Assert.Contains("OpenTfa:Channels:carrier:Host is required", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Factory_ChecksAgainstTheConfiguredSendTimeout()
    {
        var section = Section(Valid);
        using var services = ChannelSettingsProbe.Services(Factory, section, TimeSpan.FromSeconds(5), RecordingOutboxStore.Register);

        var e = Assert.Throws<InvalidOperationException>(() => Factory.Create("carrier", section, services));

        Assert.Contains("must be shorter than OpenTfa:Delivery:SendTimeout (00:00:05)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddOpenTfaSmpp_RegistersTheFactoryOnce_WhichBuildsAnSmsOnlyChannel()
    {
        var collection = new ServiceCollection().AddOpenTfaSmpp().AddOpenTfaSmpp();
        RecordingOutboxStore.Register(collection);
        await using var registered = collection.BuildServiceProvider();
        var factory = Assert.Single(registered.GetServices<IChannelFactory>());
        Assert.Equal("smpp", factory.Type);

        await using var services = ChannelSettingsProbe.Services(factory, Section(Valid), more: RecordingOutboxStore.Register);
        await using var channel = Assert.IsType<SmppSmsChannel>(factory.Create("carrier", Section(Valid), services));
        Assert.Equal("carrier", channel.Name);
        Assert.True(channel.Supports(ChannelKind.Sms));
        Assert.False(channel.Supports(ChannelKind.Voice) || channel.Supports(ChannelKind.Email));
        Assert.Equal("STOPPED", channel.GetStatus().State);
    }
}
