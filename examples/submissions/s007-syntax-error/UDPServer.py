# UDPServer.py
import os
from socket import *

serverPort = int(os.environ.get('SERVER_PORT', '12000'))
serverSocket = socket(AF_INET, SOCK_DGRAM)
serverSocket.bind(('', serverPort))
print 'The server is ready to receive'

while 1:
    message, clientAddress = serverSocket.recvfrom(65535)
    modifiedMessage = message.upper()
    serverSocket.sendto(modifiedMessage, clientAddress)
