# How W800-AT refuses bad MQTT parameters.
# Sources: W800 spec, AT+MQTTCONN <host> and AT+MQTTPUB / AT+MQTTPUBRAW /
# AT+MQTTSUB / AT+MQTTUNSUB <topic>: "does not support setting an empty
# string"; W800 reference §2.7 (no optional timeout_ms is documented for CONN,
# PUB, SUB or UNSUB) and §2.1 (CMD PARSE ERR: "parameters not in the required
# format"; no ERR CODE lines, §2.2).
# Decisions (doc-derived, W800 reference §4 item 2): a value that was read and
# refused — empty, too long, out of range — is plain ERROR, as the doc's
# "OK or ERROR" says; a parameter that is missing, of the wrong type (a
# quoted port) or one too many (ESP-AT's timeout_ms) is CMD PARSE ERR, which
# replaces ERROR (see commands.feature for why it replaces it).
@w800 @doc_derived
Feature: W800-AT refuses bad MQTT parameters with ERROR or CMD PARSE ERR

  Background:
    Given the device has been reset
    And I have sent AT+MQTTUSERCFG=0,1,"w800-param","","",0,0,""

  @conn
  Scenario: an empty host is refused
    When I send AT+MQTTCONN=0,"",{port.scheme1},0
    Then the device answers ERROR
    When I send AT+MQTTCONN?
    Then the device answers:
      """
      +MQTTCONN:0,1,1,"",0,"",0
      OK
      """

  @conn
  Scenario: ESP-AT's trailing timeout_ms is a parameter too many for AT+MQTTCONN
    When I send AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0,5000
    Then the device answers:
      """
      CMD PARSE ERR
      """

  @conn
  Scenario: a quoted port is not in the required format
    When I send AT+MQTTCONN=0,"{broker.host}","{port.scheme1}",0
    Then the device answers:
      """
      CMD PARSE ERR
      """

  @conn
  Scenario: a port out of range is refused
    When I send AT+MQTTCONN=0,"{broker.host}",65536,0
    Then the device answers ERROR

  @conn
  Scenario: port 65535 passes the parameter checks and the connect is attempted
    # Nothing listens on 65535 here: the connect fails as any failed connect does (conn.feature).
    When I send AT+MQTTCONN=0,"{broker.host}",65535,0
    Then the device reports +MQTTDISCONNECTED:0
    And the device answers ERROR

  Scenario: a 255-byte command is read, a 256-byte command is refused before its parameters
    # W800 reference §2.1 and §2.7: a 256-byte receive buffer (AT_CMD_RECV_BUFF_LEN) and
    # a per-command cap of 256 bytes, i.e. under 256 with CR LF, as on ESP-AT.
    # 34 bytes of command around a 221-byte client id: 255 bytes in all.
    When I send AT+MQTTUSERCFG=0,1,"{221 x 'c'}","","",0,0,""
    Then the device answers OK
    When I send AT+MQTTUSERCFG=0,1,"{222 x 'c'}","","",0,0,""
    Then the device answers ERROR

  Rule: connected

    Background:
      Given I have sent AT+MQTTCONN=0,"{broker.host}",{port.scheme1},0

    Scenario Outline: an empty topic is refused by <command>
      When I send <command>
      Then the device answers ERROR
      When I send AT
      Then the device answers OK

      Examples:
        | command                     |
        | AT+MQTTPUB=0,"","x",0,0     |
        | AT+MQTTPUBRAW=0,"",4,0,0    |
        | AT+MQTTSUB=0,"",0           |
        | AT+MQTTUNSUB=0,""           |

    Scenario Outline: a 129-byte topic is refused by <command>
      When I send <command>
      Then the device answers ERROR

      Examples:
        | command                              |
        | AT+MQTTPUB=0,"{129 x 't'}","x",0,0   |
        | AT+MQTTSUB=0,"{129 x 't'}",0         |

    Scenario Outline: ESP-AT's trailing timeout_ms is a parameter too many for <command>
      When I send <command>
      Then the device answers:
        """
        CMD PARSE ERR
        """

      Examples:
        | command                          |
        | AT+MQTTPUB=0,"t","x",0,0,5000    |
        | AT+MQTTPUBRAW=0,"t",4,0,0,5000   |
        | AT+MQTTSUB=0,"t",0,5000          |
        | AT+MQTTUNSUB=0,"t",5000          |

    Scenario Outline: a QoS out of range is refused by <command>
      When I send <command>
      Then the device answers ERROR

      Examples:
        | command                   |
        | AT+MQTTPUB=0,"t","x",3,0  |
        | AT+MQTTSUB=0,"t",3        |

