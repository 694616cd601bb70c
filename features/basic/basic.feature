# Basic AT commands as ESP-AT prints them: AT+GMR, unknown commands, AT+SYSLOG,
# `busy p...`. Those that W800-AT answers the same way are in common.feature.
# Sources: ESP-AT reference §3 (framing "\r\nOK\r\n", AT+GMR layout,
# AT+SYSLOG, `busy p...`) and §2.2 (ERR CODE:0x01090000 for an unknown command).
@basic @esp32 @esp8266
Feature: Basic AT commands

  Background:
    Given the device has been reset

  Scenario: AT+GMR reports the firmware version in ESP-AT's layout
    When I send AT+GMR
    Then the device answers lines matching:
      """
      AT version:\d+\.\d+\.\d+\.\d+.*
      SDK version:.+
      compile time.*
      Bin version:.+
      OK
      """

  Scenario: an unknown command is refused
    When I send AT+NOSUCHCOMMAND
    Then the device answers ERROR

  Scenario: an unknown command prints its error code once SYSLOG is on
    When I send AT+SYSLOG=1
    Then the device answers OK
    When I send AT+NOSUCHCOMMAND
    Then the device answers:
      """
      ERR CODE:0x01090000
      ERROR
      """

  Scenario: AT+SYSLOG is off after a reset and can be queried
    When I send AT+SYSLOG?
    Then the device answers:
      """
      +SYSLOG:0
      OK
      """
    When I send AT+SYSLOG=1
    Then the device answers OK
    When I send AT+SYSLOG?
    Then the device answers:
      """
      +SYSLOG:1
      OK
      """

  Scenario: a command sent while another is still running is answered busy p...
    # ESP-AT reference §3: "\r\nbusy p...\r\n" while a command is processing.
    # {port.silent} accepts the connection and never answers, so AT+MQTTCONN
    # stays busy until its 3000 ms timeout.
    Given I have sent AT+MQTTUSERCFG=0,1,"busy-1","","",0,0,""
    When I send, without waiting for the answer, AT+MQTTCONN=0,"{broker.host}",{port.silent},0,3000
    And I send AT
    Then the device answers busy p...
    And the device answers ERROR
    And the device reports +MQTTDISCONNECTED:0
